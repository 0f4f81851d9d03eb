//! Directly standardised rates with Dobson limits (`calculate_dsr`, §2.5 of
//! `../shared/reference/inequality-measures.md`), and the European Standard Population 2013 as
//! seed data (`seeds/standard-populations/esp2013.json`).
//!
//! DSR = Σ(w_i·x_i/n_i)/Σw_i × multiplier; var = Σ(w_i²·x_i/n_i²)/(Σw_i)²; with O = Σx and
//! Byar's limits O_L, O_U of O, the limits are DSR + √(var/O)·(O_L − O)·multiplier and the same
//! with O_U (Dobson et al. 1991). Missing counts count as 0. A total count below 10 gives no
//! value and [`Reason::TooFewEvents`].
//!
//! Rows are matched to the standard population's bands by their labels
//! ([`calculate_dsr_by_label`], [`StandardPopulation::band_of`] lists the spellings read), so
//! their order does not matter; a label that names no band, or a band missing or given twice, is
//! an error. [`calculate_dsr`] and [`dsr_esp2013`] take bands already in the standard's order.
//! Numbers that overflow double precision are left out with [`Reason::Overflow`].
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

use super::{
    Estimate, Interval, PheError, Reason, finished, non_negative, positive, positive_multiplier,
    require,
};
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

    /// The index of the band an age-band label names, or `None` when it names none of this
    /// standard's bands.
    ///
    /// A label is read without regard to case or spaces, as an optional `age`, `aged` or `ages`,
    /// then the band, then an optional `years`, `year`, `yrs` or `yr`. The band is
    /// - a closed band `A-B` (a hyphen or an en dash) or `A to B`: matches the band with
    ///   `min_age` A and `max_age` B, so the standard's own `0-4`, the zero-padded `00-04` that
    ///   text-sortable exports use, ONS's `Aged 0 to 4` and Fingertips' `0-4 yrs` all name 0–4;
    /// - an open band `A+`, `A and over`, `A or over`, `A and older` or `A plus`: matches the open
    ///   band starting at A (`90+`, `90 and over`);
    /// - a start age alone, `A`: the band starting at A (PHEindicatormethods' DSR vignette labels
    ///   its bands 0, 5, …, 90).
    ///
    /// Ages are one to three digits. Anything else (`85+` when the open band is 90+, `85-90`,
    /// `55-69`) names no band: guessing would move counts between bands without a word.
    ///
    /// ```
    /// use equitas_core::measures::phe::dsr::StandardPopulation;
    /// let esp = StandardPopulation::esp2013();
    /// assert_eq!(esp.band_of("05-09"), Some(1));
    /// assert_eq!(esp.band_of("90 and over"), Some(18));
    /// assert_eq!(esp.band_of("85+"), None);
    /// ```
    #[must_use]
    pub fn band_of(&self, label: &str) -> Option<usize> {
        let (min, max) = parse_band_label(label)?;
        self.bands.iter().position(|b| match max {
            Band::Closed(max) => b.min_age == min && b.max_age == Some(max),
            Band::Open => b.min_age == min && b.max_age.is_none(),
            Band::Start => b.min_age == min,
        })
    }

    /// The standard's labels, comma-separated, for messages.
    fn labels(&self) -> String {
        let labels: Vec<&str> = self.bands.iter().map(|b| b.label.as_str()).collect();
        labels.join(", ")
    }

    /// For each of the standard's bands in order, the index in `labels` of the row that names it.
    ///
    /// # Errors
    /// A label that names no band ([`BandError::UnknownLabel`], with its row), a band named by
    /// two rows ([`BandError::Repeated`]) or bands no row names ([`BandError::Missing`]).
    pub fn match_bands(&self, labels: &[(usize, &str)]) -> Result<Vec<usize>, BandError> {
        let mut found: Vec<Option<usize>> = vec![None; self.bands.len()];
        for (i, &(row, label)) in labels.iter().enumerate() {
            let band = self.band_of(label).ok_or_else(|| BandError::UnknownLabel {
                row,
                label: label.to_owned(),
                standard: self.id.to_uppercase(),
                labels: self.labels(),
            })?;
            match found.get_mut(band) {
                Some(Some(first)) => {
                    let first_row = labels.get(*first).map_or(0, |&(r, _)| r);
                    return Err(BandError::Repeated {
                        band: self
                            .bands
                            .get(band)
                            .map(|b| b.label.clone())
                            .unwrap_or_default(),
                        rows: (first_row, row),
                    });
                }
                Some(slot) => *slot = Some(i),
                None => {}
            }
        }
        let missing: Vec<String> = self
            .bands
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(b, _)| b.label.clone())
            .collect();
        if !missing.is_empty() {
            return Err(BandError::Missing {
                bands: missing,
                count: self.bands.len(),
                standard: self.id.to_uppercase(),
            });
        }
        Ok(found.into_iter().flatten().collect())
    }
}

/// The end of a band named by a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Band {
    /// `A-B`: the last age.
    Closed(u32),
    /// `A+`.
    Open,
    /// `A` alone: whichever band starts at A.
    Start,
}

/// Read a label as [`StandardPopulation::band_of`] describes: its first age and its end.
fn parse_band_label(label: &str) -> Option<(u32, Band)> {
    let squeezed: String = label
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut rest = squeezed.as_str();
    for prefix in ["aged", "ages", "age"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    for suffix in ["years", "year", "yrs", "yr"] {
        if let Some(r) = rest.strip_suffix(suffix) {
            rest = r;
            break;
        }
    }
    let (min, rest) = age(rest)?;
    if rest.is_empty() {
        return Some((min, Band::Start));
    }
    if ["+", "andover", "orover", "andolder", "plus"].contains(&rest) {
        return Some((min, Band::Open));
    }
    let rest = ["-", "\u{2013}", "to"]
        .iter()
        .find_map(|sep| rest.strip_prefix(sep))?;
    match age(rest)? {
        (max, "") => Some((min, Band::Closed(max))),
        _ => None,
    }
}

/// One to three leading digits as an age, and what follows them.
fn age(text: &str) -> Option<(u32, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=3).contains(&digits) {
        return None;
    }
    let (number, rest) = text.split_at(digits);
    Some((number.parse().ok()?, rest))
}

/// Age-band labels that do not line up with a standard population's bands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BandError {
    /// A label that names none of the standard's bands.
    #[error(
        "row {row}, column ageband: {label:?} is not an {standard} age band (they are {labels}; \
         00-04, 0 to 4, 0-4 yrs, 90 and over and start ages such as 0 or 90 are read too)"
    )]
    UnknownLabel {
        /// The row, as the caller numbers rows.
        row: usize,
        /// The label.
        label: String,
        /// The standard's id, upper case (e.g. `ESP2013`).
        standard: String,
        /// The standard's labels, comma-separated.
        labels: String,
    },
    /// Two rows naming the same band.
    #[error("age band {band} appears more than once (rows {} and {})", rows.0, rows.1)]
    Repeated {
        /// The band, as the standard labels it.
        band: String,
        /// The first two rows that name it.
        rows: (usize, usize),
    },
    /// Bands no row names.
    #[error(
        "{} missing: a DSR needs one row for each of the {count} {standard} bands",
        missing_list(bands)
    )]
    Missing {
        /// The bands, as the standard labels them.
        bands: Vec<String>,
        /// How many bands the standard has.
        count: usize,
        /// The standard's id, upper case.
        standard: String,
    },
}

/// "age band 90+ is" or "age bands 0-4 and 10-14 are" or "age bands 0-4, 5-9 and 90+ are".
fn missing_list(bands: &[String]) -> String {
    match bands {
        [one] => format!("age band {one} is"),
        [init @ .., last] => format!("age bands {} and {last} are", init.join(", ")),
        [] => "no age band is".to_owned(),
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
/// multiplier not above zero or above [`super::MAX_MULTIPLIER`], a total count that is not
/// finite, or confidence levels PHE does not allow; each names the band (1-based) and value.
pub fn calculate_dsr(
    bands: &[DsrBand],
    confidence: &[f64],
    multiplier: f64,
) -> Result<Estimate, PheError> {
    let levels = confidence_pair(confidence)?;
    positive_multiplier(multiplier)?;
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
        wsum > 0.0 && wsum.is_finite(),
        || "the total standard population".into(),
        "greater than zero and finite",
        wsum,
    )?;
    require(
        total.is_finite(),
        || "the total count".into(),
        "a finite number",
        total,
    )?;
    dobson(num, wsum, var, total, &levels, multiplier)
}

/// [`calculate_dsr`] with the ESP2013 weights: `x` and `n` give the 19 bands 0–4 … 90+ in order.
///
/// ```
/// use equitas_core::measures::phe::dsr::dsr_esp2013;
///
/// // Deaths and populations in the 19 bands 0-4, 5-9, …, 90+ (a SYNTHETIC area).
/// let deaths: Vec<Option<f64>> = (0..19).map(|i| Some(f64::from(i * i))).collect();
/// let population: Vec<f64> = (0..19).map(|i| 5_000.0 - 150.0 * f64::from(i)).collect();
/// let dsr = dsr_esp2013(&deaths, &population, &[0.95], 100_000.0)?;
/// let (value, ci) = (dsr.value.unwrap(), dsr.intervals[0]);
/// assert!(ci.lower.unwrap() < value && value < ci.upper.unwrap()); // per 100,000, Dobson limits
/// // A band missing is an error that says what was expected.
/// assert!(dsr_esp2013(&deaths[..18], &population[..18], &[0.95], 1e5).is_err());
/// # Ok::<(), equitas_core::measures::phe::PheError>(())
/// ```
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

/// One row of a DSR input: its age-band label, count and population.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelledBand<'a> {
    /// The row, as the caller numbers rows (e.g. the spreadsheet row); used in messages.
    pub row: usize,
    /// The age-band label (see [`StandardPopulation::band_of`]).
    pub label: &'a str,
    /// Events; `None` counts as 0.
    pub x: Option<f64>,
    /// Population (> 0).
    pub n: f64,
}

/// [`calculate_dsr`] with rows matched to `standard`'s bands by their labels, in any order
/// (PHEindicatormethods' `calculate_dsr` takes the standard population as a column joined to the
/// data; equitas joins it by label so that row order cannot move a count into another band).
///
/// # Errors
/// A label that names no band, a band given twice or missing ([`PheError::Band`]), and
/// [`calculate_dsr`]'s errors, each naming the row and its band.
pub fn calculate_dsr_by_label(
    standard: &StandardPopulation,
    rows: &[LabelledBand<'_>],
    confidence: &[f64],
    multiplier: f64,
) -> Result<Estimate, PheError> {
    let labels: Vec<(usize, &str)> = rows.iter().map(|r| (r.row, r.label)).collect();
    let order = standard.match_bands(&labels)?;
    let mut bands = Vec::with_capacity(order.len());
    for (&i, std_band) in order.iter().zip(&standard.bands) {
        let Some(r) = rows.get(i) else { continue };
        let place = || format!("in row {} (age band {})", r.row, std_band.label);
        non_negative(r.x.unwrap_or(0.0), || format!("the count {}", place()))?;
        positive(r.n, || format!("the population {}", place()))?;
        bands.push(DsrBand {
            x: r.x,
            n: r.n,
            stdpop: f64::from(std_band.weight),
        });
    }
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
    positive_multiplier(multiplier)?;
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
    Ok(finished(Estimate {
        value: Some(dsr * multiplier),
        intervals,
        reason: None,
    }))
}
