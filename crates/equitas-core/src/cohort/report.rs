//! `CohortReport`: the summary of counts a person reads first, shared by the CLI and the browser.

use serde::Serialize;

use super::ambition::ambitions_of;
use super::breakdown::{self, BreakdownMetric, BreakdownReport, Shape};
use super::{AmbitionRow, BridgeRule, Classifier, CohortCounts, Missing};

/// People in a cohort, with how many of them are in Core20.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortLine {
    /// Cohort id (`all`, an area id, `smoking_cessation`, a PLUS group id).
    pub id: String,
    /// People in the cohort.
    pub people: u64,
    /// Of whom in Core20.
    pub core20: u64,
    /// Core20 share of those with known deprivation, when any are known.
    pub core20_share: Option<f64>,
    /// People per IMD quintile 1..5, then unknown.
    pub by_quintile: [u64; 6],
}

/// The summary of a set of counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortReport {
    /// Definition id.
    pub definition: String,
    /// Definition version.
    pub definition_version: u32,
    /// IMD edition that defines Core20.
    pub imd_edition: String,
    /// Everyone counted.
    pub total: CohortLine,
    /// Each clinical area, then the smoking cessation thread.
    pub areas: Vec<CohortLine>,
    /// Each PLUS group.
    pub plus_groups: Vec<CohortLine>,
    /// People with each missing reason.
    pub missing: Vec<(Missing, u64)>,
    /// Each metric against its ambition.
    pub ambitions: Vec<AmbitionRow>,
    /// Each breakdown asked for ([`Classifier::with_breakdowns`]): every cell and margin.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breakdowns: Vec<BreakdownReport>,
    /// What the cohort definition changed from the built-in catalogue and definitions: local
    /// targets, local metrics, PLUS groups added or changed on the definition it extends, and
    /// Place-scoped groups no one can be in. Empty for the built-in definitions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<Provenance>,
    /// When areas were bridged between LSOA vintages ([`Classifier::with_bridge`]): how many
    /// people each rule touched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridging: Option<Bridging>,
}

/// One change a cohort definition makes to the built-in catalogue or definitions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// What was changed: `definition`, `target`, `metric`, `plus_group`.
    pub kind: String,
    /// The id of what was changed.
    pub id: String,
    /// The change, in words.
    pub change: String,
}

/// How many people each LSOA 2011-2021 bridge rule touched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bridging {
    /// The records' LSOA vintage (`2011` or `2021`), bridged to the IMD file's.
    pub from: String,
    /// One line per rule, in [`BridgeRule::ALL`] order.
    pub rules: Vec<BridgeLine>,
}

/// People under one bridge rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BridgeLine {
    /// Rule id (`merged_deciles_differ`).
    pub rule: String,
    /// What the rule means.
    pub description: String,
    /// Whether the people under it got a decile.
    pub decile_known: bool,
    /// People under it.
    pub people: u64,
}

fn line(counts: &CohortCounts, id: &str, a: usize, p: usize) -> CohortLine {
    let q = counts.by_quintile(a, p);
    let known: u64 = q[..5].iter().sum();
    #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let share = (known > 0).then(|| q[0] as f64 / known as f64);
    CohortLine {
        id: id.to_owned(),
        people: q.iter().sum(),
        core20: q[0],
        core20_share: share,
        by_quintile: q,
    }
}

/// Summarise `counts` made with `classifier`.
///
/// ```
/// use equitas_core::cohort::{Classifier, CohortCounts, CohortDefinition, PersonRecord, report};
/// use equitas_core::deprivation::ImdDecile;
///
/// let classifier = Classifier::new(CohortDefinition::national(), None)?;
/// let mut counts = CohortCounts::new(&classifier);
/// for (age, decile) in [(34, 1), (71, 2), (50, 9)] {
///     let mut p = PersonRecord::new("p");
///     p.age = Some(age);
///     p.imd_decile = Some(ImdDecile::new(decile)?);
///     counts.count(&classifier, &classifier.compact(&p)?);
/// }
/// let r = report(&counts, &classifier);
/// assert_eq!((r.total.people, r.total.core20), (3, 2));
/// assert_eq!(r.total.by_quintile[..5], [2, 0, 0, 0, 1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn report(counts: &CohortCounts, classifier: &Classifier<'_>) -> CohortReport {
    let def = classifier.definition();
    CohortReport {
        definition: def.id.clone(),
        definition_version: def.version,
        imd_edition: def.imd_edition.to_string(),
        total: line(counts, "all", 0, 0),
        areas: counts
            .area_labels()
            .iter()
            .enumerate()
            .skip(1)
            .map(|(a, id)| line(counts, id, a, 0))
            .collect(),
        plus_groups: counts
            .plus_labels()
            .iter()
            .enumerate()
            .skip(1)
            .map(|(p, id)| line(counts, id, 0, p))
            .collect(),
        missing: Missing::ALL
            .iter()
            .map(|m| (*m, counts.missing(*m)))
            .collect(),
        ambitions: ambitions_of(counts, classifier.metrics()),
        breakdowns: breakdowns(counts, classifier),
        provenance: provenance(classifier),
        bridging: classifier.bridged_from().map(|from| Bridging {
            from: from.to_owned(),
            rules: counts
                .bridged()
                .map(|(id, people)| {
                    let rule = BridgeRule::ALL
                        .iter()
                        .find(|r| r.id() == id)
                        .copied()
                        .unwrap_or(BridgeRule::NoArea);
                    BridgeLine {
                        rule: id.to_owned(),
                        description: rule.describe().to_owned(),
                        decile_known: rule.decile_known(),
                        people,
                    }
                })
                .collect(),
        }),
    }
}

/// Each breakdown of `counts`, with its cells and margins.
fn breakdowns(counts: &CohortCounts, classifier: &Classifier<'_>) -> Vec<BreakdownReport> {
    let metrics: Vec<BreakdownMetric> = counts
        .metric_ids()
        .iter()
        .map(|id| {
            let m = classifier.metrics().iter().find(|m| &m.id == id);
            BreakdownMetric {
                id: id.clone(),
                label: m.map_or_else(|| id.clone(), |m| m.label.clone()),
                target: m.and_then(|m| m.target.as_ref()).map(|t| t.at_least),
                expected_prevalence: m.and_then(|m| m.expected_prevalence),
            }
        })
        .collect();
    let targets: Vec<(Option<f64>, Option<f64>)> = metrics
        .iter()
        .map(|m| (m.target, m.expected_prevalence))
        .collect();
    let areas: Vec<String> = counts.area_labels().iter().skip(1).cloned().collect();
    let plus: Vec<String> = counts.plus_labels().iter().skip(1).cloned().collect();
    let shape = Shape {
        n_areas: areas.len(),
        n_plus: plus.len(),
        targets: &targets,
    };
    let stride = counts.breakdown_layout().stride;
    counts
        .breakdown_tables()
        .map(|(labels, table)| BreakdownReport {
            id: labels.id.clone(),
            dimensions: labels.dimensions.clone(),
            areas: areas.clone(),
            plus_groups: plus.clone(),
            metrics: metrics.clone(),
            cells: breakdown::report_cells(labels, table, stride, &shape),
        })
        .collect()
}

/// A share as a percentage with up to one decimal (`75%`, `13.9%`).
fn pct(v: f64) -> String {
    let p = (v * 1000.0).round() / 10.0;
    if p.fract() == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// A target in words: `75% by 2028-12-31`.
fn target_words(t: Option<&crate::catalogue::Target>) -> String {
    t.map_or_else(
        || "none".to_owned(),
        |t| match &t.by {
            Some(by) => format!("{} by {by}", pct(t.at_least)),
            None => pct(t.at_least),
        },
    )
}

/// What the classifier's definition changes from the built-in catalogue and definitions.
fn provenance(classifier: &Classifier<'_>) -> Vec<Provenance> {
    let def = classifier.definition();
    let line = |kind: &str, id: &str, change: String| Provenance {
        kind: kind.to_owned(),
        id: id.to_owned(),
        change,
    };
    let mut out = Vec::new();
    if let Some(base) = &def.based_on {
        out.push(line(
            "definition",
            &def.id,
            format!(
                "{} v{} is layered on the built-in definition {base}",
                def.id, def.version
            ),
        ));
    }
    for m in classifier
        .metrics()
        .iter()
        .filter(|m| m.target_is_local && !m.local)
    {
        let source = def
            .targets
            .iter()
            .find(|t| t.metric == m.id)
            .and_then(|t| t.source.as_ref())
            .map_or_else(String::new, |s| format!(" ({})", s.title));
        out.push(line(
            "target",
            &m.id,
            format!(
                "target {} in the catalogue, {} in {}{source}",
                target_words(m.catalogue_target.as_ref()),
                target_words(m.target.as_ref()),
                def.id
            ),
        ));
    }
    for m in classifier.metrics().iter().filter(|m| m.local) {
        let form = match m.expected_prevalence {
            Some(p) => format!("observed ÷ expected, expected prevalence {}", pct(p)),
            None => "a proportion".to_owned(),
        };
        out.push(line(
            "metric",
            &m.id,
            format!(
                "added by {} ({form}; area {}; target {})",
                def.id,
                m.area,
                target_words(m.target.as_ref())
            ),
        ));
    }
    let base = match def.based_on.as_deref().and_then(|b| b.split(' ').next()) {
        Some("national") => Some(super::CohortDefinition::national()),
        Some("coventry-warwickshire") => Some(super::CohortDefinition::coventry_warwickshire()),
        _ => None,
    };
    if let Some(base) = base {
        for g in &def.plus_groups {
            match base.plus_groups.iter().find(|b| b.id == g.id) {
                None => out.push(line(
                    "plus_group",
                    &g.id,
                    format!("PLUS group \"{}\" added by {}", g.label, def.id),
                )),
                Some(b) if b != g => out.push(line(
                    "plus_group",
                    &g.id,
                    format!("PLUS group \"{}\" changed by {}", g.label, def.id),
                )),
                Some(_) => {}
            }
        }
    }
    for id in classifier.unplaced_groups() {
        out.push(line(
            "plus_group",
            id,
            "scoped to Places, and there is no place lookup: no one is counted in it".to_owned(),
        ));
    }
    out
}
