//! The metrics a classifier counts: the catalogue's, with any local targets, then the
//! definition's local metrics (proportions, or observed ÷ expected).

use serde::Serialize;

use super::definition::at;
use super::{CohortDefinition, DefinitionError};
use crate::catalogue::{Catalogue, Status, Target};

/// A metric as a classifier counts and a report shows it: its id and label, its clinical area,
/// the target in force (the catalogue's, or the definition's own), and, for an observed ÷
/// expected metric, the expected prevalence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountedMetric {
    /// Metric id.
    pub id: String,
    /// Short name.
    pub label: String,
    /// Clinical area id.
    pub area: String,
    /// The target in force.
    pub target: Option<Target>,
    /// The catalogue's target, when the definition replaced it (for the provenance).
    pub catalogue_target: Option<Target>,
    /// Whether the definition set the target.
    pub target_is_local: bool,
    /// Whether the metric is the definition's own (not the catalogue's).
    pub local: bool,
    /// For an observed ÷ expected metric, the expected prevalence: its rates are observed
    /// people ÷ (prevalence × people in its age range).
    pub expected_prevalence: Option<f64>,
}

/// One metric compiled for the hot path.
#[derive(Debug, Clone)]
pub(super) struct MetricInfo {
    /// Clinical area bit.
    pub area: u8,
    /// Only these ages count.
    pub age: Option<(u8, u8)>,
    /// Observed ÷ expected: the denominator is everyone (in the age range), the numerator
    /// those on the register.
    pub observed: bool,
    /// A proportion's numerator event (its index among the events).
    pub event: u8,
}

/// What [`compile`] gives the classifier.
pub(super) struct Compiled {
    pub defs: Vec<CountedMetric>,
    pub infos: Vec<MetricInfo>,
    pub event_ids: Vec<String>,
    /// Condition index -> metrics whose register (denominator or observed) it is.
    pub metrics_of_condition: Vec<u64>,
}

/// The most metrics a classifier counts, catalogue and local together: metrics are a 64-bit
/// set.
const MAX_METRICS: usize = 64;

/// The catalogue's metrics with the definition's targets, then the definition's own metrics.
///
/// # Errors
/// The catalogue's own inconsistencies, or (naming the JSON pointer in the definition) a
/// target for a metric that does not exist, a local metric whose id is a catalogue metric's,
/// whose area or condition the catalogue does not have, or more than 64 metrics in all.
pub(super) fn compile(
    catalogue: &Catalogue,
    definition: &CohortDefinition,
    area_ids: &[String],
    condition_ids: &[String],
) -> Result<Compiled, DefinitionError> {
    let mut out = Compiled {
        defs: Vec::new(),
        infos: Vec::new(),
        event_ids: Vec::new(),
        metrics_of_condition: vec![0; condition_ids.len()],
    };
    catalogue_metrics(&mut out, catalogue, definition, area_ids, condition_ids)?;
    local_metrics(&mut out, catalogue, definition, area_ids, condition_ids)?;
    check_targets_and_size(&out, definition)?;
    Ok(out)
}

/// A problem at `path` in `definition`.
fn bad(definition: &CohortDefinition, path: String, problem: String) -> DefinitionError {
    DefinitionError::Bad {
        definition: definition.id.clone(),
        path,
        problem,
    }
}

/// Where `id` is in `ids`.
fn position(ids: &[String], id: &str) -> Option<usize> {
    ids.iter().position(|x| x == id)
}

/// An index as a byte (the limits keep every index far below 256).
fn u8_of(i: usize) -> u8 {
    u8::try_from(i).unwrap_or(u8::MAX)
}

impl Compiled {
    /// Adds a metric, counted on the register (condition) at `register`.
    fn push(&mut self, def: CountedMetric, info: MetricInfo, register: usize) {
        let bit = self.infos.len();
        if let (Some(mask), Some(b)) = (
            self.metrics_of_condition.get_mut(register),
            1u64.checked_shl(u32::try_from(bit).unwrap_or(u32::MAX)),
        ) {
            *mask |= b;
        }
        self.defs.push(def);
        self.infos.push(info);
    }
}

/// The catalogue's metrics, each with the definition's target where it sets one.
fn catalogue_metrics(
    out: &mut Compiled,
    catalogue: &Catalogue,
    definition: &CohortDefinition,
    area_ids: &[String],
    condition_ids: &[String],
) -> Result<(), DefinitionError> {
    let catalogue_error = |m: String| DefinitionError::Catalogue(m);
    for (area, m) in catalogue.metrics() {
        let register = position(condition_ids, &m.denominator.condition).ok_or_else(|| {
            catalogue_error(format!(
                "metric {} has unknown denominator {}",
                m.id, m.denominator.condition
            ))
        })?;
        let area_bit = position(area_ids, &area.id)
            .ok_or_else(|| catalogue_error(format!("metric {} has unknown area", m.id)))?;
        let event = out.event_ids.len();
        out.event_ids.push(m.numerator.event.clone());
        let local_target = definition.targets.iter().find(|t| t.metric == m.id);
        let def = CountedMetric {
            id: m.id.clone(),
            label: m.label.clone(),
            area: area.id.clone(),
            target: local_target.map_or_else(|| m.target.clone(), |t| Some(target_of(t))),
            catalogue_target: local_target.and(m.target.clone()),
            target_is_local: local_target.is_some(),
            local: false,
            expected_prevalence: None,
        };
        let info = MetricInfo {
            area: u8_of(area_bit),
            age: None,
            observed: false,
            event: u8_of(event),
        };
        out.push(def, info, register);
    }
    Ok(())
}

/// The definition's own metrics, each checked against the catalogue (its id, area and
/// register), a new numerator event added to the events counted.
fn local_metrics(
    out: &mut Compiled,
    catalogue: &Catalogue,
    definition: &CohortDefinition,
    area_ids: &[String],
    condition_ids: &[String],
) -> Result<(), DefinitionError> {
    for (i, m) in definition.metrics.iter().enumerate() {
        let here = at("", "metrics", Some(i));
        if catalogue.metrics().any(|(_, c)| c.id == m.id) {
            return Err(bad(
                definition,
                at(&here, "id", None),
                format!(
                    "metric id {:?} is a catalogue metric's; give a local metric its own id (a catalogue metric's target is set under targets)",
                    m.id
                ),
            ));
        }
        let area_bit = position(area_ids, &m.area).ok_or_else(|| {
            bad(
                definition,
                at(&here, "area", None),
                format!(
                    "{:?} is not a clinical area; areas are {}",
                    m.area,
                    area_ids.join(", ")
                ),
            )
        })?;
        let (register, observed, reg_path) = match (&m.denominator, &m.observed) {
            (Some(d), _) => (&d.condition, false, "denominator"),
            (None, Some(o)) => (&o.condition, true, "observed"),
            (None, None) => continue,
        };
        let register_index = position(condition_ids, register).ok_or_else(|| {
            bad(
                definition,
                at(&at(&here, reg_path, None), "condition", None),
                format!(
                    "{register:?} is not a condition; conditions are {}",
                    condition_ids.join(", ")
                ),
            )
        })?;
        let event = match &m.numerator {
            Some(n) => match position(&out.event_ids, &n.event) {
                Some(e) => e,
                None => {
                    out.event_ids.push(n.event.clone());
                    out.event_ids.len() - 1
                }
            },
            None => 0,
        };
        let local_target = definition.targets.iter().find(|t| t.metric == m.id);
        let def = CountedMetric {
            id: m.id.clone(),
            label: m.label.clone(),
            area: m.area.clone(),
            target: local_target.map_or_else(|| m.target.clone(), |t| Some(target_of(t))),
            catalogue_target: None,
            target_is_local: true,
            local: true,
            expected_prevalence: m.expected.as_ref().map(|e| e.prevalence),
        };
        let info = MetricInfo {
            area: u8_of(area_bit),
            age: m.age.map(|r| (r.min, r.max)),
            observed,
            event: u8_of(event),
        };
        out.push(def, info, register_index);
    }
    Ok(())
}

/// Every target names a metric, and the metrics and events fit the 64-bit sets.
fn check_targets_and_size(
    out: &Compiled,
    definition: &CohortDefinition,
) -> Result<(), DefinitionError> {
    for (i, t) in definition.targets.iter().enumerate() {
        if !out.defs.iter().any(|d| d.id == t.metric) {
            return Err(bad(
                definition,
                at(&at("", "targets", Some(i)), "metric", None),
                format!(
                    "{:?} is neither a catalogue metric nor a local one; metrics are {}",
                    t.metric,
                    out.defs
                        .iter()
                        .map(|d| d.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    if out.defs.len() > MAX_METRICS || out.event_ids.len() > MAX_METRICS {
        return Err(bad(
            definition,
            "/metrics".into(),
            format!(
                "the catalogue's and the local metrics come to {} metrics and {} events; at most {MAX_METRICS} of each can be counted",
                out.defs.len(),
                out.event_ids.len()
            ),
        ));
    }
    Ok(())
}

/// A target override as a target: confirmed when it names its source.
fn target_of(t: &super::TargetOverride) -> Target {
    Target {
        at_least: t.at_least,
        by: t.by.clone(),
        status: if t.source.is_some() {
            Status::Confirmed
        } else {
            Status::Unconfirmed
        },
    }
}

/// The metrics of the built-in catalogue alone, as [`CountedMetric`]s.
pub(super) fn of_catalogue(catalogue: &Catalogue) -> Vec<CountedMetric> {
    catalogue
        .metrics()
        .map(|(area, m)| CountedMetric {
            id: m.id.clone(),
            label: m.label.clone(),
            area: area.id.clone(),
            target: m.target.clone(),
            catalogue_target: None,
            target_is_local: false,
            local: false,
            expected_prevalence: None,
        })
        .collect()
}
