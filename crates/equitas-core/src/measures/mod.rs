//! Inequality measures: the 21 WHO HEAT summary measures and OHID's Fingertips methods.
//!
//! The numerical contract is `../shared/reference/inequality-measures.md`. A stratum (one
//! setting × date × source × indicator × dimension of the WHO HEAT Plus layout) is a list of
//! [`Subgroup`]s with the flags that say how to read them; [`compute`] gives one measure with its
//! standard error and confidence interval, or the [`Reason`] it cannot be computed. A measure
//! never comes back as NaN.
//!
//! Families live in their own files: `simple` (D, R), `ordered` (ACI, RCI, SII, RII),
//! `nonordered` (BGV, BGSD, COV, MD*, IDIS*, TI, MLD), `impact` (PAR, PAF), `phe` (Fingertips SII
//! and standardised rates), `lifetable` (Chiang II) and [`intervals`] (Wilson, Byar, exact, t).
//! What reports show of them is here too: [`names`] (each measure's names and what it tells
//! you, in our own words) and [`chart`] (the geometry of a chart of subgroup estimates: whiskers,
//! ridits, the SII line).
//!
//! ```
//! use equitas_core::measures::{MeasureId, Options, Stratum, Subgroup, compute};
//!
//! let row = |order: u32, y: f64, se: f64, n: f64| Subgroup {
//!     label: format!("Q{order}"),
//!     estimate: Some(y),
//!     se: Some(se),
//!     population: Some(n),
//!     order,
//!     reference: false,
//! };
//! let stratum = Stratum {
//!     subgroups: vec![row(1, 20.0, 5.0, 78.0), row(2, 30.0, 7.0, 91.0), row(3, 40.0, 10.0, 162.0),
//!                     row(4, 50.0, 12.0, 103.0), row(5, 60.0, 14.0, 105.0)],
//!     ordered: true,
//!     favourable: true,
//!     scale: 100.0,
//!     setting_average: None,
//! };
//! let sii = compute(&stratum, MeasureId::Sii, &Options::default())?;
//! assert!((sii.value - 44.445_019_1).abs() < 1e-5);
//! # Ok::<(), equitas_core::measures::Reason>(())
//! ```
//!
//! # Compatibility modes
//!
//! The references disagree with each other and with their own notes (§5 of the spec). Each such
//! choice is a [`Compat`] mode or an [`Options`] field; nothing is silent.
//!
//! | Point | `HeatV6` (default) | `Healthequal` | `Corrected` |
//! |---|---|---|---|
//! | μ for MDMU, IDISU | weighted mean, else `setting_average` (MDMU needs every population) | `setting_average` when given, else weighted mean | as `HeatV6`, and MDMU may use `setting_average` |
//! | BGSD, COV simulation | fixed μ | simulated weighted mean | as `HeatV6` |
//! | MDMU, IDISU simulation | weighted mean recomputed per draw (else the fixed setting average) | weighted mean recomputed per draw whenever every population is given, even when the setting average gives the estimate; else the setting average | as `HeatV6` |
//! | IDISW simulation | mean and denominator recomputed per draw | original μ kept | as `HeatV6` |
//! | MDRU, MDRW simulation | simulated *best* value (heatmeasures quirk) | simulated reference | simulated reference |
//! | TI, MLD μ | weighted mean of raw estimates | weighted mean after 0 → 1e-6 | as `HeatV6` |
//! | TI, MLD SE | not ×1000 (CI ≈1000× too narrow) | not ×1000 | ×1000 |
//! | PAF SE | fraction scale, CI = PAF% ± z·SE | fraction scale | percent scale (×100); PAR SE (μ·SE of the fraction) is unchanged |
//! | PAR, PAF reference | flagged reference, else max order (ordered), else best | flag ignored | as `HeatV6` |
//! | SII scale | `indicator_scale` | inferred from the estimates (1, 100, 1000, …) | `indicator_scale` |
//! | SII `se` | on the 0–1 scale, CI on the indicator scale | same | on the indicator scale |
//! | SII, RII with all estimates equal | computed (0 and 1) | refused ([`Reason::AllEqual`]) | computed |
//!
//! Independent of the mode: [`Options::rci_percent`] (RCI ×100 as the notes print it; the code
//! returns the fraction), [`SiiMethod`] (logistic GLM, or linear WLS as `healthequal`'s
//! `linear = TRUE`), [`ConcentrationSe`] (the v5+ regression SE, or the notes' analytic formula),
//! and the confidence level (heatmeasures fixes 95%).
//!
//! Simulated intervals use a portable seeded generator (xoshiro256++ and a pure-Rust ziggurat normal), so they
//! are the same natively and in wasm but not the draws R makes: compare them with a tolerance.
//! Logarithms and exponentials throughout use the pure-Rust `libm` crate rather than the
//! platform's, so every measure gives the same bits on every target.
//!
//! # Validation (spec §1.1)
//!
//! | Measures | Needs |
//! |---|---|
//! | D, R | 2 subgroups: both estimates; ordered: the lowest- and highest-order estimates; with a reference: its estimate; R: y₂ ≠ 0 |
//! | ACI, RCI, SII, RII | ordered dimension, more than 2 subgroups, every estimate and population, populations not all 0, estimates not all 0 |
//! | BGV, BGSD, COV, MDMW, MDBW, MDRW, IDISW, TI, MLD | ≥ 85% of estimates present, more than 2 present, a population for each present one |
//! | MDMU, IDISU | as above, but a missing population is tolerated when μ can come from the setting average (not for MDMU in `HeatV6`) |
//! | MDBU, MDRU | ≥ 85% present, more than 2 present |
//! | MDRU, MDRW | exactly one reference subgroup, with an estimate |
//! | PAR, PAF | μ (weighted mean or setting average), the reference's estimate; PAF: μ ≠ 0 |
//! | all | value within ±99999 (RII within [0, 700]), finite |
//!
//! Missing SEs are not a failure: the measure comes with no interval. PAR and PAF intervals come
//! from populations, so they exist without SEs.
//!
//! # Deliberate differences from heatmeasures, whatever the mode
//!
//! * Subgroups are put in a canonical order (order, then label) before anything else, so results,
//!   tie-breaks and simulated intervals do not depend on row order. heatmeasures breaks ties by
//!   row position; only the SE of D or R can differ, when tied estimates have different SEs.
//! * The logistic fit also stops when its coefficients stop moving (relative change ≤ 1e-12):
//!   with a near-exact fit the deviance is rounding noise that R's relative test can chase past
//!   25 iterations.
//! * PAF's reference population is the reference row's, not `pop[est == ref_est]`.
//! * The truncated-normal rejection gives up after 10,000 draws for one subgroup
//!   ([`Reason::SimulationStuck`]) where heatmeasures would loop for ever.
//! * The non-ordered measures are computed for ordered dimensions too (the spec sets no
//!   dimension rule for them); ordered measures refuse non-ordered dimensions.
//! * Any confidence level above 0 and up to [`MAX_CONFIDENCE`] may be asked for; heatmeasures
//!   fixes 95%. The number of simulated datasets runs from [`MIN_SIMULATIONS`] to
//!   [`MAX_SIMULATIONS`]. Options outside their ranges are refused ([`Options::check`],
//!   [`Reason::InvalidOptions`]), never answered with limits left blank.

pub mod chart;
pub mod gap;
mod impact;
pub mod intervals;
#[allow(
    clippy::disallowed_methods,
    reason = "no browser module reaches `equitas le-gap`'s computation, so its sorts cost none \
              of them anything: see clippy.toml"
)]
pub mod legap;
pub mod lifetable;
pub mod names;
mod nonordered;
pub(crate) mod normal;
mod ordered;
#[allow(
    clippy::disallowed_methods,
    reason = "the browser modules reach only the Fingertips SII's closed form (`sii_line`), whose \
              one sort is the lean one; the rest of the Fingertips methods, with their sorts and \
              clamps, are in no browser module: see clippy.toml"
)]
pub mod phe;
pub mod sii_line;
mod simple;
mod simulate;
pub mod trajectory;
pub mod trend;

use serde::{Deserialize, Serialize};

use crate::number::Num;
use crate::read::FromJson;

/// One subgroup of a stratum: a row of the HEAT Plus template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Subgroup {
    /// The subgroup's label, e.g. "Quintile 1 (most deprived)".
    pub label: String,
    /// The subgroup's estimate on the indicator's scale; `None` when missing.
    pub estimate: Option<f64>,
    /// Its standard error; needed for confidence intervals.
    pub se: Option<f64>,
    /// Its population; needed for weighted measures.
    pub population: Option<f64>,
    /// Position in an ordered dimension, 1 = most disadvantaged; 0 for non-ordered dimensions.
    pub order: u32,
    /// Whether this is the dimension's reference subgroup (at most one per stratum).
    pub reference: bool,
}

/// The subgroups of one stratum and how to read them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Stratum {
    /// The subgroups, in any row order (ordered measures sort by [`Subgroup::order`]).
    pub subgroups: Vec<Subgroup>,
    /// Whether the dimension has a natural order (e.g. deprivation quintiles).
    pub ordered: bool,
    /// Whether higher values are better (favourable) or worse (adverse).
    pub favourable: bool,
    /// The indicator's scale: 1, 100 (percent), 1000, 100000…
    pub scale: f64,
    /// The setting's overall value, when reported.
    pub setting_average: Option<f64>,
}

/// The 21 summary measures of WHO HEAT v6, by their lower-case ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum MeasureId {
    /// Difference.
    D,
    /// Ratio.
    R,
    /// Absolute concentration index.
    Aci,
    /// Relative concentration index.
    Rci,
    /// Slope index of inequality.
    Sii,
    /// Relative index of inequality.
    Rii,
    /// Between-group variance.
    Bgv,
    /// Between-group standard deviation.
    Bgsd,
    /// Coefficient of variation.
    Cov,
    /// Mean difference from mean, unweighted.
    Mdmu,
    /// Mean difference from mean, weighted.
    Mdmw,
    /// Mean difference from best-performing subgroup, unweighted.
    Mdbu,
    /// Mean difference from best-performing subgroup, weighted.
    Mdbw,
    /// Mean difference from reference subgroup, unweighted.
    Mdru,
    /// Mean difference from reference subgroup, weighted.
    Mdrw,
    /// Index of disparity, unweighted.
    Idisu,
    /// Index of disparity, weighted.
    Idisw,
    /// Theil index.
    Ti,
    /// Mean log deviation.
    Mld,
    /// Population attributable risk.
    Par,
    /// Population attributable fraction.
    Paf,
}

impl MeasureId {
    /// Every measure, in HEAT's order.
    pub const ALL: [Self; 21] = [
        Self::D,
        Self::R,
        Self::Aci,
        Self::Rci,
        Self::Sii,
        Self::Rii,
        Self::Bgv,
        Self::Bgsd,
        Self::Cov,
        Self::Mdmu,
        Self::Mdmw,
        Self::Mdbu,
        Self::Mdbw,
        Self::Mdru,
        Self::Mdrw,
        Self::Idisu,
        Self::Idisw,
        Self::Ti,
        Self::Mld,
        Self::Par,
        Self::Paf,
    ];

    /// The lower-case id, e.g. `"sii"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::D => "d",
            Self::R => "r",
            Self::Aci => "aci",
            Self::Rci => "rci",
            Self::Sii => "sii",
            Self::Rii => "rii",
            Self::Bgv => "bgv",
            Self::Bgsd => "bgsd",
            Self::Cov => "cov",
            Self::Mdmu => "mdmu",
            Self::Mdmw => "mdmw",
            Self::Mdbu => "mdbu",
            Self::Mdbw => "mdbw",
            Self::Mdru => "mdru",
            Self::Mdrw => "mdrw",
            Self::Idisu => "idisu",
            Self::Idisw => "idisw",
            Self::Ti => "ti",
            Self::Mld => "mld",
            Self::Par => "par",
            Self::Paf => "paf",
        }
    }

    /// Parse a lower-case id (case-insensitive).
    ///
    /// # Errors
    /// The id is not one of the 21.
    pub fn parse(id: &str) -> Result<Self, UnknownMeasure> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(id.trim()))
            .ok_or_else(|| UnknownMeasure(id.to_owned()))
    }
}

impl std::fmt::Display for MeasureId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A measure id that is not one of the 21.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown measure {0:?}: expected one of d, r, aci, rci, sii, rii, bgv, bgsd, cov, mdmu, mdmw, mdbu, mdbw, mdru, mdrw, idisu, idisw, ti, mld, par, paf"
)]
pub struct UnknownMeasure(pub String);

/// Which reference implementation to follow where they differ (spec §5, §7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Compat {
    /// heatmeasures v6 (the engine of HEAT and HEAT Plus), quirks included.
    #[default]
    HeatV6,
    /// `healthequal` 1.0.1 where it differs from heatmeasures: μ priority for IDISU and MDMU,
    /// simulation details (§1.2), SII scale inference, PAR/PAF ignore the reference flag, SII/RII
    /// refuse all-equal estimates.
    Healthequal,
    /// heatmeasures with its scale bugs fixed: TI/MLD SE ×1000, PAF SE (and so PAR SE) on the
    /// percent scale, SII `se` on the indicator scale, MDRU/MDRW simulate the reference subgroup,
    /// MDMU falls back to `setting_average` like IDISU.
    Corrected,
}

impl Compat {
    /// Parse `heat-v6`, `healthequal` or `corrected` (case-insensitive).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "heat-v6" | "heatv6" | "heat" => Some(Self::HeatV6),
            "healthequal" => Some(Self::Healthequal),
            "corrected" => Some(Self::Corrected),
            _ => None,
        }
    }
}

/// How SII and RII are fitted (spec §7.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SiiMethod {
    /// Logistic GLM on counts with prior weights P², P = ⌈n⌉, HC1 delta-method SE (HEAT v5+).
    #[default]
    Logistic,
    /// Weighted least squares of y/scale on the ridit with weights ⌈n⌉, HC1 delta-method SE
    /// (`healthequal`'s `linear = TRUE`).
    Linear,
}

/// How the standard errors of ACI and RCI are computed (spec §1.2, §5 item 2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ConcentrationSe {
    /// The OLS SE of the "convenient regression" with k − 2 degrees of freedom (HEAT v5+,
    /// `healthequal`); it ignores the subgroup SEs.
    #[default]
    Regression,
    /// The technical notes' formula √Σ p²σ²(2X − 1)² (÷μ with the RCI term for RCI), HEAT ≤ 3.1.
    Analytic,
}

/// The fewest simulated datasets [`Options::simulations`] may ask for: a quantile interval
/// needs two values.
pub const MIN_SIMULATIONS: usize = 2;

/// The most simulated datasets [`Options::simulations`] may ask for, per stratum. The draws are
/// not kept: one simulated copy of the stratum is made at a time, and each simulated measure
/// keeps one value per copy, so the memory for intervals is at most 10 measures × 8 bytes × this
/// (80 MB) plus one copy of the stratum, whatever the number of subgroups; the time grows with
/// copies × subgroups. HEAT uses 100 and Fingertips' Monte Carlo SII 100,000. A fixed limit.
pub const MAX_SIMULATIONS: usize = 1_000_000;

/// The highest confidence level [`Options::confidence`] may ask for (six nines); the lowest is
/// anything above 0. Closer to 1 the normal quantile runs out of floating-point precision (at
/// 0.9999999999999999 it is infinite, and no interval could be given) and 100 simulated
/// datasets cannot tell the levels apart. A fixed limit.
pub const MAX_CONFIDENCE: f64 = 0.999_999;

/// The largest seed [`Options::seed`] may be: every 64-bit whole number, 0 to 2⁶⁴ − 1, is a
/// seed.
pub const MAX_SEED: u64 = u64::MAX;

/// An option outside its range, found before anything is computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptionsError {
    /// The confidence level is not in (0, [`MAX_CONFIDENCE`]].
    #[error(
        "the confidence level must be greater than 0 and at most {} (a fixed limit), got {}",
        Num(MAX_CONFIDENCE),
        Num(*.0)
    )]
    Confidence(f64),
    /// The number of simulated datasets is not in [`MIN_SIMULATIONS`]..=[`MAX_SIMULATIONS`].
    #[error(
        "the number of simulations must be from {MIN_SIMULATIONS} to {MAX_SIMULATIONS} (a fixed limit), got {0}"
    )]
    Simulations(usize),
}

/// Options for [`compute`]. Build with [`Options::default`] and the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
#[json(expected = "measure options: an object")]
#[json(check = "check_read")]
pub struct Options {
    /// Which reference to follow where they differ.
    pub compat: Compat,
    /// Confidence level of intervals, above 0 and at most 0.999999 (`MAX_CONFIDENCE`); 0.95 by
    /// default.
    pub confidence: f64,
    /// Seed of the simulation, any 64-bit whole number (heatmeasures uses 123456).
    pub seed: u64,
    /// Number of simulated datasets for simulated intervals, 2 to 1,000,000
    /// (`MAX_SIMULATIONS`); heatmeasures uses 100.
    pub simulations: usize,
    /// Report RCI ×100 (−100..100, as the technical notes print it) instead of the fraction.
    pub rci_percent: bool,
    /// How SII and RII are fitted.
    pub sii_method: SiiMethod,
    /// How ACI and RCI standard errors are computed.
    pub concentration_se: ConcentrationSe,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            compat: Compat::HeatV6,
            confidence: 0.95,
            seed: 123_456,
            simulations: 100,
            rci_percent: false,
            sii_method: SiiMethod::Logistic,
            concentration_se: ConcentrationSe::Regression,
        }
    }
}

impl Options {
    /// Set the compatibility mode.
    #[must_use]
    pub const fn with_compat(mut self, compat: Compat) -> Self {
        self.compat = compat;
        self
    }
    /// Set the confidence level, e.g. 0.9.
    #[must_use]
    pub const fn with_confidence(mut self, confidence: f64) -> Self {
        self.confidence = confidence;
        self
    }
    /// Set the simulation seed.
    #[must_use]
    pub const fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Set the number of simulated datasets.
    #[must_use]
    pub const fn with_simulations(mut self, simulations: usize) -> Self {
        self.simulations = simulations;
        self
    }
    /// Report RCI ×100.
    #[must_use]
    pub const fn with_rci_percent(mut self, percent: bool) -> Self {
        self.rci_percent = percent;
        self
    }
    /// Choose the SII/RII fit.
    #[must_use]
    pub const fn with_sii_method(mut self, method: SiiMethod) -> Self {
        self.sii_method = method;
        self
    }
    /// Choose the ACI/RCI standard error.
    #[must_use]
    pub const fn with_concentration_se(mut self, se: ConcentrationSe) -> Self {
        self.concentration_se = se;
        self
    }

    /// Checks the options that have a range: the confidence level and the number of
    /// simulations ([`MAX_CONFIDENCE`], [`MIN_SIMULATIONS`], [`MAX_SIMULATIONS`]).
    ///
    /// # Errors
    /// The first option outside its range, with its value and the range.
    pub fn check(&self) -> Result<(), OptionsError> {
        check_confidence(self.confidence)?;
        check_simulations(self.simulations)?;
        Ok(())
    }

    /// z = Φ⁻¹(1 − (1 − confidence)/2).
    fn z(&self) -> f64 {
        intervals::normal_quantile(1.0 - (1.0 - self.confidence) / 2.0)
    }
}

/// `confidence` if it is a level intervals can be given at: above 0 and at most
/// [`MAX_CONFIDENCE`].
///
/// # Errors
/// [`OptionsError::Confidence`] otherwise (NaN included).
pub fn check_confidence(confidence: f64) -> Result<f64, OptionsError> {
    if confidence > 0.0 && confidence <= MAX_CONFIDENCE {
        Ok(confidence)
    } else {
        Err(OptionsError::Confidence(confidence))
    }
}

/// `simulations` if it is from [`MIN_SIMULATIONS`] to [`MAX_SIMULATIONS`].
///
/// # Errors
/// [`OptionsError::Simulations`] otherwise.
pub fn check_simulations(simulations: usize) -> Result<usize, OptionsError> {
    if (MIN_SIMULATIONS..=MAX_SIMULATIONS).contains(&simulations) {
        Ok(simulations)
    } else {
        Err(OptionsError::Simulations(simulations))
    }
}

/// A computed measure: its value, standard error and confidence interval.
///
/// `se` is on the scale the reference reports (log scale for R and RII; see [`Compat`] for SII,
/// TI, MLD and PAF). Simulated measures have no `se`. Without subgroup SEs there is no interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Estimate {
    /// The measure.
    pub value: f64,
    /// Its standard error, when the method gives one.
    pub se: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
}

impl Estimate {
    /// value ± z·se, or no interval without an SE.
    fn normal(value: f64, se: Option<f64>, z: f64) -> Self {
        let se = se.filter(|s| s.is_finite());
        Self {
            value,
            se,
            lower: se.map(|s| value - z * s),
            upper: se.map(|s| value + z * s),
        }
    }
}

/// Why a measure cannot be computed for a stratum.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// Too few subgroups (with estimates) for the measure.
    #[error("needs at least {needed} subgroups with estimates, got {got}")]
    TooFewSubgroups {
        /// The minimum.
        needed: usize,
        /// How many there are.
        got: usize,
    },
    /// More than 15% of subgroup estimates are missing.
    #[error("{missing} of {total} subgroup estimates are missing (more than 15%)")]
    TooManyMissing {
        /// Missing estimates.
        missing: usize,
        /// Subgroups.
        total: usize,
    },
    /// A subgroup the measure needs has no estimate.
    #[error("subgroup {subgroup:?} has no estimate")]
    MissingEstimate {
        /// The subgroup's label.
        subgroup: String,
    },
    /// A subgroup the measure needs has no population.
    #[error("subgroup {subgroup:?} has no population")]
    MissingPopulation {
        /// The subgroup's label.
        subgroup: String,
    },
    /// The populations add up to zero.
    #[error("the subgroup populations add up to zero")]
    ZeroPopulation,
    /// An input value is impossible (non-finite, negative SE or population).
    #[error("subgroup {subgroup:?} has an invalid {field}: {}", Num(*.value))]
    InvalidValue {
        /// The subgroup's label.
        subgroup: String,
        /// Which field.
        field: &'static str,
        /// The value.
        value: f64,
    },
    /// The reported setting average is not a finite number.
    #[error("the setting average must be a finite number, got {}", Num(*.0))]
    InvalidAverage(f64),
    /// The indicator scale is not a positive number.
    #[error("the indicator scale must be a positive number, got {}", Num(*.0))]
    InvalidScale(f64),
    /// The confidence level or the number of simulations is outside its range
    /// ([`Options::check`]).
    #[error("{0}")]
    InvalidOptions(OptionsError),
    /// An ordered measure was asked of a non-ordered dimension.
    #[error("the dimension is not ordered")]
    NotOrdered,
    /// The measure needs a reference subgroup and none is flagged.
    #[error("no reference subgroup is flagged")]
    NoReference,
    /// More than one subgroup is flagged as the reference.
    #[error("{count} subgroups are flagged as the reference, expected one")]
    SeveralReferences {
        /// How many are flagged.
        count: usize,
    },
    /// Every estimate is zero.
    #[error("every subgroup estimate is zero")]
    AllZero,
    /// Every estimate is the same (`healthequal` refuses SII and RII then).
    #[error("every subgroup estimate is {}, so there is no gradient to fit", Num(*.0))]
    AllEqual(f64),
    /// μ can come neither from populations nor from a reported setting average.
    #[error(
        "no setting average is reported and subgroup {subgroup:?} has no population to compute one"
    )]
    MissingAverage {
        /// A subgroup without a population.
        subgroup: String,
    },
    /// The setting average (or weighted mean) is zero, so a relative measure is undefined.
    #[error("the setting average is zero, so the relative measure is undefined")]
    ZeroAverage,
    /// The measure falls outside HEAT's plausible range (outlier screening).
    #[error("the value {} is outside HEAT's range [{}, {}]", Num(*.value), Num(*.min), Num(*.max))]
    Outlier {
        /// The value.
        value: f64,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// A logistic SII count round(y/scale·P) is negative or above the population.
    #[error(
        "subgroup {subgroup:?}: count {} is outside 0..{} (estimate {} on scale {})",
        Num(*.count), Num(*.population), Num(*.estimate), Num(*.scale)
    )]
    CountOutOfRange {
        /// The subgroup's label.
        subgroup: String,
        /// The count.
        count: f64,
        /// The rounded-up population.
        population: f64,
        /// The estimate.
        estimate: f64,
        /// The scale.
        scale: f64,
    },
    /// The logistic fit did not converge.
    #[error("the logistic fit did not converge in {iterations} iterations")]
    NotConverged {
        /// Iterations run.
        iterations: u32,
    },
    /// A ratio divides by zero.
    #[error("division by zero: subgroup {subgroup:?} has estimate 0 in the denominator")]
    InfiniteRatio {
        /// The denominator subgroup.
        subgroup: String,
    },
    /// Asked of [`compute_simple_ordered_impact`] for a measure outside those families.
    #[error(
        "{measure} is not a simple, ordered or impact measure; compute it with measures::compute"
    )]
    OtherFamily {
        /// The measure asked for.
        measure: MeasureId,
    },
    /// Asked of [`compute_report_measure`] for a measure other than D, SII and RII.
    #[error(
        "{measure} is not one of the report's measures (D, SII, RII); compute it with measures::compute"
    )]
    NotInReport {
        /// The measure asked for.
        measure: MeasureId,
    },
    /// The computation gave a non-finite number.
    #[error("the {what} is not a finite number")]
    NotFinite {
        /// What came out non-finite.
        what: &'static str,
    },
    /// The truncated-normal simulation could not draw an admissible value.
    #[error(
        "subgroup {subgroup:?}: no simulated value in range after {tries} draws (estimate {}, se {})",
        Num(*.estimate), Num(*.se)
    )]
    SimulationStuck {
        /// The subgroup's label.
        subgroup: String,
        /// Its estimate.
        estimate: f64,
        /// Its SE.
        se: f64,
        /// Draws tried.
        tries: u32,
    },
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One measure for one stratum (spec §1.1 validation, §7 formulas).
///
/// One example of each family on a non-ordered dimension (three regions, a favourable indicator
/// in percent: higher is better):
///
/// ```
/// use equitas_core::measures::{MeasureId, Options, Stratum, Subgroup, compute};
///
/// let region = |label: &str, y: f64| Subgroup {
///     label: label.into(),
///     estimate: Some(y),
///     se: Some(2.0),
///     population: Some(100.0),
///     order: 0,
///     reference: false,
/// };
/// let stratum = Stratum {
///     subgroups: vec![region("North", 20.0), region("Midlands", 30.0), region("South", 40.0)],
///     ordered: false,
///     favourable: true,
///     scale: 100.0,
///     setting_average: None,
/// };
/// let o = Options::default();
/// let value = |m| compute(&stratum, m, &o).map(|e| e.value);
/// // Simple: the difference and ratio of the best and worst subgroups.
/// assert_eq!(value(MeasureId::D)?, 20.0);
/// assert_eq!(value(MeasureId::R)?, 2.0);
/// // Non-ordered: the between-group variance, Σ p (y − μ)² around μ = 30.
/// assert!((value(MeasureId::Bgv)? - 200.0 / 3.0).abs() < 1e-9);
/// // Impact: how far the average would move if every region did as well as the best (40).
/// assert!((value(MeasureId::Par)? - 10.0).abs() < 1e-9);
/// assert!((value(MeasureId::Paf)? - 100.0 / 3.0).abs() < 1e-9);
/// // Ordered measures need an ordered dimension: a reason, not a number.
/// assert!(compute(&stratum, MeasureId::Sii, &o).is_err());
/// # Ok::<(), equitas_core::measures::Reason>(())
/// ```
///
/// The ordered family (SII, RII, ACI, RCI) is in the module example.
///
/// # Errors
/// The [`Reason`] HEAT's validation (or the arithmetic) gives for not computing it.
pub fn compute(
    stratum: &Stratum,
    measure: MeasureId,
    options: &Options,
) -> Result<Estimate, Reason> {
    let mut prep = Prepared::new(stratum, options)?;
    prep.measure(measure)
}

/// [`compute`] for the simple, ordered and impact measures only (D, R, ACI, RCI, SII, RII, PAR,
/// PAF), with the same results. A caller that needs no more does not carry the non-ordered
/// family's code: the browser's assessment engine was about 17 KB smaller for it, before it
/// took [`compute_report_measure`], narrower still.
///
/// # Errors
/// As [`compute`]; [`Reason::OtherFamily`] for a non-ordered measure.
pub fn compute_simple_ordered_impact(
    stratum: &Stratum,
    measure: MeasureId,
    options: &Options,
) -> Result<Estimate, Reason> {
    let mut prep = Prepared::new(stratum, options)?;
    let e = prep
        .simple_ordered_impact(measure)
        .unwrap_or(Err(Reason::OtherFamily { measure }))?;
    Prepared::checked(measure, e)
}

/// The options of an assessment report's measures: WHO HEAT's methods with every standard error
/// on its value's scale ([`Compat::Corrected`]: HEAT v6 gives the SII's on the 0–1 scale beside
/// a value on the indicator's, which would read wrongly in a report), 95% intervals, and every
/// other option at its default (`Options::default().with_compat(Compat::Corrected)`).
pub const REPORT_OPTIONS: Options = Options {
    compat: Compat::Corrected,
    confidence: 0.95,
    seed: 123_456,
    simulations: 100,
    rci_percent: false,
    sii_method: SiiMethod::Logistic,
    concentration_se: ConcentrationSe::Regression,
};

/// [`compute`] with [`REPORT_OPTIONS`] for the measures an assessment report quantifies the gap
/// with (D, SII and RII) only, with the same results. The browser's assessment engine, which
/// computes no other, then carries neither the other measures' code nor the options' checks.
///
/// # Errors
/// As [`compute`]; [`Reason::NotInReport`] for any other measure.
pub fn compute_report_measure(stratum: &Stratum, measure: MeasureId) -> Result<Estimate, Reason> {
    let prep = Prepared::with_valid_options(stratum, &REPORT_OPTIONS)?;
    let e = match measure {
        MeasureId::D => simple::difference(&prep),
        MeasureId::Sii => ordered::sii(&prep, false),
        MeasureId::Rii => ordered::sii(&prep, true),
        _ => Err(Reason::NotInReport { measure }),
    }?;
    Prepared::checked(measure, e)
}

/// Several measures for one stratum, preparing it and drawing the simulation once.
///
/// heatmeasures resets its seed before every measure, so every simulated measure sees the same
/// draws; here they are drawn once and shared, which is the same thing and faster.
///
/// ```
/// use equitas_core::measures::{MeasureId, Options, Reason, Stratum, Subgroup, compute_many};
///
/// // Uptake by IMD quintile (1 = most deprived), rising with advantage.
/// let quintile = |order: u32, y: f64| Subgroup {
///     label: format!("Quintile {order}"),
///     estimate: Some(y),
///     se: Some(1.5),
///     population: Some(1000.0),
///     order,
///     reference: false,
/// };
/// let stratum = Stratum {
///     subgroups: (1..=5).map(|q| quintile(q, 40.0 + 5.0 * f64::from(q))).collect(),
///     ordered: true,
///     favourable: true,
///     scale: 100.0,
///     setting_average: None,
/// };
/// let results = compute_many(&stratum, &MeasureId::ALL, &Options::default().with_seed(7));
/// assert_eq!(results.len(), 21);
/// for (m, r) in &results {
///     match r {
///         Ok(e) => assert!(e.value.is_finite(), "{m}"),
///         // Measures against a reference subgroup need one to be flagged.
///         Err(reason) => assert_eq!(reason, &Reason::NoReference, "{m}"),
///     }
/// }
/// let sii = results.iter().find(|(m, _)| *m == MeasureId::Sii).unwrap().1.as_ref().unwrap();
/// assert!(sii.value > 0.0 && sii.lower.unwrap() < sii.value);
/// ```
#[must_use]
pub fn compute_many(
    stratum: &Stratum,
    measures: &[MeasureId],
    options: &Options,
) -> Vec<(MeasureId, Result<Estimate, Reason>)> {
    match Prepared::new(stratum, options) {
        Ok(mut prep) => {
            prep.want(measures);
            measures.iter().map(|&m| (m, prep.measure(m))).collect()
        }
        Err(e) => measures.iter().map(|&m| (m, Err(e.clone()))).collect(),
    }
}

/// A subgroup row after checking, sorted by order.
#[derive(Debug, Clone)]
struct Row<'a> {
    label: &'a str,
    y: Option<f64>,
    se: Option<f64>,
    n: Option<f64>,
    order: u32,
    reference: bool,
}

/// A simulated measure's interval (`None` when its values on the copies give none).
type SimulatedInterval = (MeasureId, Option<(f64, f64)>);

/// A stratum checked once, with what several measures share.
#[derive(Debug)]
struct Prepared<'a> {
    stratum: &'a Stratum,
    options: &'a Options,
    z: f64,
    /// Every row, sorted by order, then label.
    rows: Vec<Row<'a>>,
    /// Indices into `rows` of rows with an estimate.
    present: Vec<usize>,
    /// Estimates of the present rows.
    y: Vec<f64>,
    /// Population shares of the present rows, when every one has a population and they add up
    /// to more than zero.
    p: Option<Vec<f64>>,
    /// Σ p y over the present rows, when `p` exists.
    weighted_mean: Option<f64>,
    /// The simulated measures asked of the stratum, whose intervals one simulation serves.
    wanted: Vec<MeasureId>,
    /// The simulated intervals of those of `wanted` that pass their checks, made on first use
    /// (an empty list when some SE is missing: no simulation then).
    intervals: Option<Result<Vec<SimulatedInterval>, Reason>>,
}

impl<'a> Prepared<'a> {
    fn new(stratum: &'a Stratum, options: &'a Options) -> Result<Self, Reason> {
        if !(stratum.scale.is_finite() && stratum.scale > 0.0) {
            return Err(Reason::InvalidScale(stratum.scale));
        }
        options.check().map_err(Reason::InvalidOptions)?;
        Self::with_valid_options(stratum, options)
    }

    /// [`Prepared::new`] with `options` known to pass [`Options::check`] (constant options a
    /// test checks), so a build that uses only these does not carry the check.
    fn with_valid_options(stratum: &'a Stratum, options: &'a Options) -> Result<Self, Reason> {
        if !(stratum.scale.is_finite() && stratum.scale > 0.0) {
            return Err(Reason::InvalidScale(stratum.scale));
        }
        if let Some(a) = stratum.setting_average
            && !a.is_finite()
        {
            return Err(Reason::InvalidAverage(a));
        }
        let mut rows = Vec::with_capacity(stratum.subgroups.len());
        for g in &stratum.subgroups {
            let bad = |field: &'static str, value: f64| Reason::InvalidValue {
                subgroup: g.label.clone(),
                field,
                value,
            };
            if let Some(y) = g.estimate
                && !y.is_finite()
            {
                return Err(bad("estimate", y));
            }
            if let Some(se) = g.se
                && !(se.is_finite() && se >= 0.0)
            {
                return Err(bad("standard error", se));
            }
            if let Some(n) = g.population
                && !(n.is_finite() && n >= 0.0)
            {
                return Err(bad("population", n));
            }
            rows.push(Row {
                label: &g.label,
                y: g.estimate,
                se: g.se,
                n: g.population,
                order: g.order,
                reference: g.reference,
            });
        }
        // A canonical order (by order, then label) makes every result, simulated intervals and
        // tie-breaks included, independent of row order. heatmeasures breaks ties by row
        // position instead; only the SE of D and R can differ, when two tied estimates have
        // different SEs.
        crate::sort::sort_by(&mut rows, |a, b| {
            a.order.cmp(&b.order).then_with(|| a.label.cmp(b.label))
        });
        let present: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].y.is_some()).collect();
        let y: Vec<f64> = present.iter().filter_map(|&i| rows[i].y).collect();
        let pops: Option<Vec<f64>> = present.iter().map(|&i| rows[i].n).collect();
        let p = pops.and_then(|pops| {
            let total: f64 = pops.iter().sum();
            (total > 0.0).then(|| pops.iter().map(|n| n / total).collect::<Vec<_>>())
        });
        let weighted_mean = p
            .as_ref()
            .map(|p| p.iter().zip(&y).map(|(p, y)| p * y).sum::<f64>());
        Ok(Self {
            stratum,
            options,
            z: options.z(),
            rows,
            present,
            y,
            p,
            weighted_mean,
            wanted: Vec::new(),
            intervals: None,
        })
    }

    /// Asks for the simulated measures among `measures`, so that one simulation serves them all.
    fn want(&mut self, measures: &[MeasureId]) {
        for &m in measures {
            if nonordered::is_simulated(m) && !self.wanted.contains(&m) {
                self.wanted.push(m);
            }
        }
    }

    /// μ as heatmeasures' `get_weighted_mean`: the weighted mean when every present row has a
    /// population, else the reported setting average (§1.1).
    fn mu_heat(&self) -> Option<f64> {
        self.weighted_mean.or(self.stratum.setting_average)
    }

    fn measure(&mut self, m: MeasureId) -> Result<Estimate, Reason> {
        let e = match self.simple_ordered_impact(m) {
            Some(e) => e,
            None => nonordered::measure(self, m),
        }?;
        Self::checked(m, e)
    }

    /// The simple, ordered and impact measures (D, R, ACI, RCI, SII, RII, PAR, PAF); `None` for
    /// the non-ordered family.
    fn simple_ordered_impact(&mut self, m: MeasureId) -> Option<Result<Estimate, Reason>> {
        Some(match m {
            MeasureId::D => simple::difference(self),
            MeasureId::R => simple::ratio(self),
            MeasureId::Aci => ordered::aci(self, false),
            MeasureId::Rci => ordered::aci(self, true),
            MeasureId::Sii => ordered::sii(self, false),
            MeasureId::Rii => ordered::sii(self, true),
            MeasureId::Par => impact::par_paf(self, false),
            MeasureId::Paf => impact::par_paf(self, true),
            _ => return None,
        })
    }

    /// HEAT's checks on a computed estimate: finite, inside the plausible range, and both
    /// interval limits or neither.
    fn checked(m: MeasureId, e: Estimate) -> Result<Estimate, Reason> {
        let (min, max) = if m == MeasureId::Rii {
            (0.0, 700.0)
        } else {
            (-99_999.0, 99_999.0)
        };
        if !e.value.is_finite() {
            return Err(Reason::NotFinite { what: "estimate" });
        }
        if e.value < min || e.value > max {
            return Err(Reason::Outlier {
                value: e.value,
                min,
                max,
            });
        }
        let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
        let (lower, upper) = match (finite(e.lower), finite(e.upper)) {
            (Some(l), Some(u)) => (Some(l), Some(u)),
            _ => (None, None),
        };
        Ok(Estimate {
            value: e.value,
            se: finite(e.se),
            lower,
            upper,
        })
    }

    /// The single flagged reference row, as an index into `rows`.
    fn reference(&self) -> Result<Option<usize>, Reason> {
        let mut refs = (0..self.rows.len()).filter(|&i| self.rows[i].reference);
        match (refs.next(), refs.next()) {
            (None, _) => Ok(None),
            (Some(i), None) => Ok(Some(i)),
            (Some(_), Some(_)) => Err(Reason::SeveralReferences {
                count: self.rows.iter().filter(|r| r.reference).count(),
            }),
        }
    }

    /// HEAT's `test_under85_pct`: at least 85% of subgroups have an estimate, and more than 2
    /// remain (§1.1, §7.3).
    fn check_present(&self) -> Result<(), Reason> {
        let total = self.rows.len();
        let missing = total - self.present.len();
        if (self.present.len() as f64) < 0.85 * total as f64 {
            return Err(Reason::TooManyMissing { missing, total });
        }
        if self.present.len() < 3 {
            return Err(Reason::TooFewSubgroups {
                needed: 3,
                got: self.present.len(),
            });
        }
        Ok(())
    }

    /// `check_present` plus a population for every present row (`test_under85_pct_missing_pop`).
    fn check_weighted(&self) -> Result<&[f64], Reason> {
        self.check_present()?;
        self.shares()
    }

    /// Why μ cannot be had: no setting average and no populations.
    fn missing_average(&self) -> Reason {
        match self.shares() {
            Err(Reason::MissingPopulation { subgroup }) => Reason::MissingAverage { subgroup },
            Err(e) => e,
            Ok(_) => Reason::NotFinite {
                what: "setting average",
            },
        }
    }

    /// The shares of the present rows, or why there are none.
    fn shares(&self) -> Result<&[f64], Reason> {
        if let Some(p) = &self.p {
            return Ok(p);
        }
        match self.present.iter().find(|&&i| self.rows[i].n.is_none()) {
            Some(&i) => Err(Reason::MissingPopulation {
                subgroup: self.rows[i].label.to_owned(),
            }),
            None => Err(Reason::ZeroPopulation),
        }
    }

    /// The simulated interval of `m`, `None` when some SE is missing (heatmeasures simulates
    /// only when every SE is given).
    ///
    /// The first call simulates, once, for every wanted measure that passes its checks: each
    /// copy of the estimates is drawn (in heatmeasures' order, the same draws for every measure,
    /// as heatmeasures resetting its seed before each measure gives), every measure's statistic
    /// is taken from it, and the copy is dropped. So memory is one copy of the stratum plus one
    /// value per copy for each measure, never copies × subgroups.
    ///
    /// # Errors
    /// [`Reason::SimulationStuck`] when a subgroup's truncated draws never land in range.
    fn simulated_interval(&mut self, m: MeasureId) -> Result<Option<(f64, f64)>, Reason> {
        if !self.wanted.contains(&m) {
            self.wanted.push(m);
            self.intervals = None;
        }
        if self.intervals.is_none() {
            let plans: Vec<nonordered::Plan> = self
                .wanted
                .iter()
                .filter_map(|&w| nonordered::plan(self, w).ok())
                .collect();
            self.intervals = Some(self.simulate(&plans));
        }
        match &self.intervals {
            Some(Ok(found)) => Ok(found.iter().find(|(w, _)| *w == m).and_then(|(_, ci)| *ci)),
            Some(Err(e)) => Err(e.clone()),
            None => Ok(None),
        }
    }

    /// One simulation for `plans`: their intervals, or why it could not be drawn.
    fn simulate(&self, plans: &[nonordered::Plan]) -> Result<Vec<SimulatedInterval>, Reason> {
        let Some(ses) = self
            .present
            .iter()
            .map(|&i| self.rows[i].se)
            .collect::<Option<Vec<f64>>>()
        else {
            return Ok(Vec::new());
        };
        let copies = self.options.simulations;
        let mut values: Vec<Vec<f64>> = plans.iter().map(|_| Vec::with_capacity(copies)).collect();
        let mut draws = simulate::Draws::new(&self.y, &ses, self.stratum.scale, self.options.seed);
        let mut copy = vec![0.0; self.y.len()];
        for _ in 0..copies {
            draws
                .next_copy(&mut copy)
                .map_err(|(j, tries)| Reason::SimulationStuck {
                    subgroup: self
                        .present
                        .get(j)
                        .map_or("", |&i| self.rows[i].label)
                        .to_owned(),
                    estimate: self.y.get(j).copied().unwrap_or(f64::NAN),
                    se: ses.get(j).copied().unwrap_or(f64::NAN),
                    tries,
                })?;
            for (plan, out) in plans.iter().zip(&mut values) {
                let v = plan.stat(self, &copy, true);
                if v.is_finite() {
                    out.push(v);
                }
            }
        }
        let confidence = self.options.confidence;
        Ok(plans
            .iter()
            .zip(&mut values)
            .map(|(plan, v)| (plan.m, simulate::interval(v, confidence)))
            .collect())
    }
}

// ---------------------------------------------------------------------------------------------
// Reading options from JSON (derived; see `crate::read`): every field optional, none unknown.

/// The ranges of options read from JSON: refused there, with the field's place, rather than as a
/// reason on every result.
fn check_read(
    options: &Options,
    v: &serde_json::Value,
    at: &crate::read::Place<'_>,
) -> Result<(), crate::read::ReadError> {
    let out_of_range = |key: &str, expected: String| {
        let found = v.get(key).cloned().unwrap_or_default();
        crate::read::wrong_at(&crate::read::Place::Key(at, key), &expected, &found)
    };
    if check_confidence(options.confidence).is_err() {
        return Err(out_of_range(
            "confidence",
            format!(
                "a confidence level greater than 0 and at most {} (a fixed limit)",
                Num(MAX_CONFIDENCE)
            ),
        ));
    }
    if check_simulations(options.simulations).is_err() {
        return Err(out_of_range(
            "simulations",
            format!(
                "a whole number of simulations from {MIN_SIMULATIONS} to {MAX_SIMULATIONS} (a fixed limit)"
            ),
        ));
    }
    Ok(())
}

impl Options {
    /// Reads options from JSON text: an object with any of the fields above, none other; a
    /// missing field takes its default.
    ///
    /// # Errors
    /// The text is not JSON or a field holds the wrong kind of value, named by its JSON pointer.
    pub fn from_json(text: &str) -> Result<Self, crate::read::ReadError> {
        crate::read::from_str(text)
    }
}
