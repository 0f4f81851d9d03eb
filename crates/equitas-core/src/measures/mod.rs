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

pub mod intervals;
pub mod lifetable;
pub mod phe;

use serde::{Deserialize, Serialize};

/// One subgroup of a stratum: a row of the HEAT Plus template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
