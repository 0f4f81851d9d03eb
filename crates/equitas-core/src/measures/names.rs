//! What each of the 21 summary measures is called and what it tells a reader, in our own words,
//! and a measure's result as a report shows it ([`MeasureLine`]). The CLI's reports and both
//! pages of the browser app take the names from here, so a measure is called the same
//! everywhere.

use serde::Serialize;

use super::{Estimate, MeasureId};

/// A measure's names and a plain-English sentence on what it tells you.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct MeasureInfo {
    /// Which measure.
    pub id: MeasureId,
    /// Its short name, e.g. `"SII"`.
    pub abbr: &'static str,
    /// Its full name, e.g. `"Slope index of inequality"`.
    pub name: &'static str,
    /// What it tells you.
    pub about: &'static str,
}

const fn info(
    id: MeasureId,
    abbr: &'static str,
    name: &'static str,
    about: &'static str,
) -> MeasureInfo {
    MeasureInfo {
        id,
        abbr,
        name,
        about,
    }
}

/// The 21 measures, in HEAT's order (the order of [`MeasureId::ALL`]).
///
/// A `const`, not a `static`: a build that takes a few entries by value in a constant (the
/// assessment engine, whose report shows three) carries only their text.
pub const MEASURES: [MeasureInfo; 21] = [
    info(
        MeasureId::D,
        "D",
        "Difference",
        "The absolute gap between two subgroups: for an ordered dimension the most advantaged \
         minus the most disadvantaged end; otherwise the two subgroups HEAT compares (highest \
         and lowest, or against the reference subgroup).",
    ),
    info(
        MeasureId::R,
        "R",
        "Ratio",
        "The same two subgroups as D, as a ratio: 1 means no gap.",
    ),
    info(
        MeasureId::Aci,
        "ACI",
        "Absolute concentration index",
        "How far the indicator is concentrated among the advantaged (above 0) or the \
         disadvantaged (below 0) across an ordered dimension, on the indicator's own scale.",
    ),
    info(
        MeasureId::Rci,
        "RCI",
        "Relative concentration index",
        "The absolute concentration index relative to the setting average, so indicators on \
         different scales can be compared.",
    ),
    info(
        MeasureId::Sii,
        "SII",
        "Slope index of inequality",
        "The modelled absolute difference between the most advantaged and the most \
         disadvantaged ends of the population when it is ranked by the dimension, using every \
         subgroup and its size, not just the two ends.",
    ),
    info(
        MeasureId::Rii,
        "RII",
        "Relative index of inequality",
        "The same modelled ends as the SII, as a ratio: 1 means no gradient.",
    ),
    info(
        MeasureId::Bgv,
        "BGV",
        "Between-group variance",
        "How spread out the subgroup estimates are around the setting average, each weighted \
         by its population share (in squared units).",
    ),
    info(
        MeasureId::Bgsd,
        "BGSD",
        "Between-group standard deviation",
        "The square root of the between-group variance, back on the indicator's own scale.",
    ),
    info(
        MeasureId::Cov,
        "COV",
        "Coefficient of variation",
        "The between-group standard deviation as a percentage of the setting average.",
    ),
    info(
        MeasureId::Mdmu,
        "MDMU",
        "Mean difference from mean, unweighted",
        "The average absolute gap between each subgroup and the setting average, every \
         subgroup counting the same.",
    ),
    info(
        MeasureId::Mdmw,
        "MDMW",
        "Mean difference from mean, weighted",
        "As MDMU, with each subgroup weighted by its population share.",
    ),
    info(
        MeasureId::Mdbu,
        "MDBU",
        "Mean difference from best-performing subgroup, unweighted",
        "The average gap between each subgroup and the best-performing one, every subgroup \
         counting the same.",
    ),
    info(
        MeasureId::Mdbw,
        "MDBW",
        "Mean difference from best-performing subgroup, weighted",
        "As MDBU, with each subgroup weighted by its population share.",
    ),
    info(
        MeasureId::Mdru,
        "MDRU",
        "Mean difference from reference subgroup, unweighted",
        "The average gap between each subgroup and the subgroup flagged as the reference, \
         every subgroup counting the same.",
    ),
    info(
        MeasureId::Mdrw,
        "MDRW",
        "Mean difference from reference subgroup, weighted",
        "As MDRU, with each subgroup weighted by its population share.",
    ),
    info(
        MeasureId::Idisu,
        "IDISU",
        "Index of disparity, unweighted",
        "The mean difference from the mean (MDMU) as a percentage of the setting average.",
    ),
    info(
        MeasureId::Idisw,
        "IDISW",
        "Index of disparity, weighted",
        "The weighted mean difference from the mean (MDMW) as a percentage of the setting \
         average.",
    ),
    info(
        MeasureId::Ti,
        "TI",
        "Theil index",
        "How unevenly the indicator is shared out compared with the population shares of the \
         subgroups (an entropy measure); 0 means shared exactly in proportion.",
    ),
    info(
        MeasureId::Mld,
        "MLD",
        "Mean log deviation",
        "Another entropy measure of uneven shares, giving more weight to subgroups far below \
         the average; 0 means no inequality.",
    ),
    info(
        MeasureId::Par,
        "PAR",
        "Population attributable risk",
        "How much the setting average would improve, in the indicator's units, if every \
         subgroup did as well as the best-performing (or reference) subgroup.",
    ),
    info(
        MeasureId::Paf,
        "PAF",
        "Population attributable fraction",
        "The population attributable risk as a percentage of the setting average.",
    ),
];

impl MeasureId {
    /// The measure's names and what it tells you.
    ///
    /// ```
    /// use equitas_core::measures::MeasureId;
    ///
    /// let sii = MeasureId::Sii.info();
    /// assert_eq!((sii.abbr, sii.name), ("SII", "Slope index of inequality"));
    /// ```
    #[must_use]
    pub const fn info(self) -> MeasureInfo {
        // `ALL` and `MEASURES` list the measures in the same order (a test checks), and the
        // discriminants count from 0 in that order.
        MEASURES[self as usize]
    }
}

/// One measure's result as a report shows it: its names, and its value with its standard error
/// and interval, or why it could not be computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct MeasureLine {
    /// Which measure.
    pub measure: MeasureId,
    /// Its short name.
    pub abbr: &'static str,
    /// Its full name.
    pub name: &'static str,
    /// What it tells you.
    pub about: &'static str,
    /// Its value, standard error and confidence limits; `None` when it could not be computed.
    pub value: Option<Estimate>,
    /// Why it could not be computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl MeasureLine {
    /// The line of the measure `info` describes: its value, or why there is none.
    #[must_use]
    pub const fn new(info: MeasureInfo, value: Option<Estimate>, reason: Option<String>) -> Self {
        Self {
            measure: info.id,
            abbr: info.abbr,
            name: info.name,
            about: info.about,
            value,
            reason,
        }
    }

    /// How reports name the measure: `"Slope index of inequality (SII)"`.
    #[must_use]
    pub fn title(&self) -> String {
        format!("{} ({})", self.name, self.abbr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measure_has_its_own_entry_in_heat_order() {
        assert_eq!(MEASURES.len(), MeasureId::ALL.len());
        for (info, id) in MEASURES.iter().zip(MeasureId::ALL) {
            assert_eq!(info.id, id);
            assert_eq!(id.info(), *info);
            assert_eq!(info.abbr, id.as_str().to_uppercase());
            assert!(
                !info.name.is_empty() && info.about.ends_with('.'),
                "{info:?}"
            );
        }
    }
}
