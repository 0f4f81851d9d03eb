//! `CohortDefinition`: the local choices that turn records into Core20PLUS5 cohorts, as data.

use crate::read::FromJson;
use serde::Serialize;

use super::{DefinitionError, MAX_AGE, MAX_AGE_BANDS, MAX_PLUS_GROUPS, Sex};
use crate::catalogue::{AgeRange, Denominator, Numerator, Source, Status, Target};
use crate::deprivation::ImdEdition;

/// The largest cohort definition file read, in bytes: 1 MiB. The built-in ones are under 10 KB;
/// 32 PLUS groups with long rules fit many times over.
pub const MAX_DEFINITION_BYTES: usize = 1 << 20;

/// The local choices of a cohort model: which IMD edition defines Core20, which PLUS groups the
/// system chose and how each is derived from a record, the CYP age range and the age bands.
///
/// The built-in default (`seeds/definitions/national.json`) uses the national PLUS examples; an
/// integrated care system loads its own file (for example
/// `seeds/definitions/coventry-warwickshire.json`).
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a cohort definition: an object")]
pub struct CohortDefinition {
    /// Stable id of this definition.
    pub id: String,
    /// Plain name.
    pub label: String,
    /// Version of this definition's content.
    pub version: u32,
    /// The English IMD edition that defines Core20 (`england-2019` unless chosen otherwise).
    pub imd_edition: ImdEdition,
    /// Youngest age for the adult clinical areas.
    pub adult_min_age: u8,
    /// Ages covered by the children and young people's clinical areas.
    pub cyp_age_range: AgeRange,
    /// Whether the CYP age range is a confirmed national rule (it is not: the default 0–25 is
    /// a local choice pending national confirmation).
    pub cyp_age_range_status: Status,
    /// Lower bounds of the age bands, ascending from 0; the last band is open-ended.
    pub age_bands: Vec<u8>,
    /// The locally chosen PLUS groups, in reporting order.
    pub plus_groups: Vec<PlusGroup>,
    /// Local targets for catalogue metrics (or dates by which to meet them), replacing the
    /// catalogue's; each is listed in the report's provenance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetOverride>,
    /// Metrics the catalogue does not have, counted after its own; each is listed in the
    /// report's provenance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<LocalMetric>,
    /// The built-in definition this one was layered on ([`LocalDefinition::apply`] sets it),
    /// if any: the report's provenance names the PLUS groups added to it or changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<String>,
}

/// The most local metrics a definition may add: 32. Metrics are a 64-bit set, and the
/// catalogue has 13 (raise both together).
pub const MAX_LOCAL_METRICS: usize = 32;

/// A local target for a metric: it replaces the catalogue's target (or gives one where the
/// catalogue has none), for this definition only.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a target override: an object")]
pub struct TargetOverride {
    /// The metric's id (a catalogue metric, or a local one).
    pub metric: String,
    /// The target as a proportion in 0..=1 that the rate should reach or exceed (for an
    /// observed ÷ expected metric, the ratio: 0.8 is 80% of the expected number).
    pub at_least: f64,
    /// When the target is due (`YYYY-MM-DD`), if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Where the local target comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// A metric the catalogue does not have, defined locally: a proportion (people with an event of
/// those on a register) or an observed ÷ expected ratio (people on a register of those expected,
/// given the expected prevalence as data), optionally only for an age range.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a local metric: an object")]
pub struct LocalMetric {
    /// Stable id, distinct from every catalogue metric's.
    pub id: String,
    /// Short name for tables.
    pub label: String,
    /// The clinical area it reports under (a catalogue area id). A proportion's denominator
    /// counts only people in that area (adults for an adult area, children and young people for
    /// a CYP one), as the catalogue's metrics do.
    pub area: String,
    /// A proportion's numerator: people in the denominator with this event recorded (an event
    /// id; a new one becomes a value the records' `events` column may hold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<Numerator>,
    /// A proportion's denominator: people on this condition's register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Denominator>,
    /// An observed ÷ expected metric's observed: people on this condition's register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Denominator>,
    /// An observed ÷ expected metric's expected: the share of the population (in the age
    /// range) expected to have the condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<ExpectedPrevalence>,
    /// Only people of these ages count (both forms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<AgeRange>,
    /// The target, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Where the metric comes from, or caveats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The expected prevalence of an observed ÷ expected metric.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "an expected prevalence: an object")]
pub struct ExpectedPrevalence {
    /// The share expected to have the condition, in (0, 1].
    pub prevalence: f64,
    /// Where the estimate comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// A local definition file (at most [`MAX_DEFINITION_BYTES`], as any definition): what a
/// system changes on top of a built-in definition, without a rebuild. It names the definition it extends (`national` or `coventry-warwickshire`) and
/// may add or replace PLUS groups (a group with a base group's id replaces it), set local
/// targets, and add local metrics. [`LocalDefinition::apply`] gives the whole definition; its
/// report lists every change (the provenance).
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a local cohort definition: an object")]
pub struct LocalDefinition {
    /// Stable id of this local definition.
    pub id: String,
    /// Plain name.
    pub label: String,
    /// Version of this file's content.
    pub version: u32,
    /// The built-in definition it extends: `national` or `coventry-warwickshire`.
    pub extends: String,
    /// PLUS groups added (or replacing a base group of the same id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plus_groups: Vec<PlusGroup>,
    /// Local targets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetOverride>,
    /// Local metrics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<LocalMetric>,
    /// Where the local choices come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A locally chosen PLUS group and the rule that puts a person in it.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a PLUS group: an object")]
pub struct PlusGroup {
    /// Stable id (e.g. `transient_communities`).
    pub id: String,
    /// Plain name.
    pub label: String,
    /// Who is in the group.
    pub rule: Rule,
    /// Only people of these ages (a qualifier on the rule: "working-age people with long-term
    /// sickness").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<AgeRange>,
    /// Only people of these recorded sexes (a qualifier on the rule).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sex: Vec<Sex>,
    /// The Places the group applies in (ids of the Places in use, or values of the place
    /// lookup when there is no grouping); empty: everywhere. A person of another Place, or
    /// whose Place is unknown, is not in a scoped group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<String>,
    /// Where the choice is documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How membership of a PLUS group is derived from a person record.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
#[json(expected = "a rule: \"ethnic_minority\", \"cyp\" or an object with one field")]
pub enum Rule {
    /// The record carries at least one of these flags (ids from `groups.json` `record_flags`).
    AnyFlag(Vec<String>),
    /// The record carries at least one of these conditions (ids from `conditions.json`).
    AnyCondition(Vec<String>),
    /// The recorded ethnic category is an ethnic minority (`minority` in `ethnicity.json`).
    EthnicMinority,
    /// The recorded ethnic category is one of these codes.
    EthnicCategories(Vec<String>),
    /// The record has at least this many long-term conditions.
    LongTermConditionsAtLeast(u8),
    /// The person's age lies in this range.
    Age(AgeRange),
    /// The person is in the definition's CYP age range.
    Cyp,
    /// The recorded sex is one of these.
    Sex(Vec<Sex>),
    /// At least `count` of the rules hold ("at least two of substance misuse, mental ill
    /// health, physical ill health and domestic abuse").
    AtLeast(AtLeast),
    /// Any of the rules holds.
    AnyOf(Vec<Rule>),
    /// All of the rules hold.
    AllOf(Vec<Rule>),
    /// The rule does not hold.
    Not(Box<Rule>),
}

/// "At least `count` of these rules".
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "an at-least rule: an object")]
pub struct AtLeast {
    /// How many of the rules must hold, from 1 to their number.
    pub count: u8,
    /// The rules.
    pub of: Vec<Rule>,
}

impl CohortDefinition {
    /// The checks a definition must pass whatever the catalogue: at most [`MAX_PLUS_GROUPS`]
    /// PLUS groups with distinct ids (none called `all`, the counts' name for everyone), age
    /// bands that start at 0 and ascend (at most [`MAX_AGE_BANDS`], none starting above
    /// [`MAX_AGE`]), an adult minimum age of at most [`MAX_AGE`], and age ranges (the CYP range
    /// and every `age` rule) that someone can be in: min at most max, and min at most
    /// [`MAX_AGE`]. [`CohortDefinition::from_json`] and [`super::Classifier::new`] both run it.
    ///
    /// # Errors
    /// The first problem, with the JSON pointer of the bad value.
    pub fn check(&self) -> Result<(), DefinitionError> {
        let id = || self.id.clone();
        let bands = &self.age_bands;
        let bad_band = if bands.len() > MAX_AGE_BANDS || bands.is_empty() {
            Some(None)
        } else {
            (0..bands.len())
                .find(|&i| {
                    if i == 0 {
                        bands[0] != 0
                    } else {
                        bands[i - 1] >= bands[i] || bands[i] > MAX_AGE
                    }
                })
                .map(Some)
        };
        if let Some(i) = bad_band {
            return Err(DefinitionError::BadAgeBands {
                definition: id(),
                path: at("", "age_bands", i),
                bands: bands.clone(),
            });
        }
        if self.adult_min_age > MAX_AGE {
            return Err(DefinitionError::BadAge {
                definition: id(),
                path: "/adult_min_age".into(),
                problem: format!(
                    "the adult minimum age {} is above {MAX_AGE}, the oldest age a record can have",
                    self.adult_min_age
                ),
            });
        }
        check_range(&self.id, self.cyp_age_range, "/cyp_age_range")?;
        if self.plus_groups.len() > MAX_PLUS_GROUPS {
            return Err(DefinitionError::TooManyGroups {
                definition: id(),
                path: "/plus_groups".into(),
                count: self.plus_groups.len(),
            });
        }
        check_groups(&self.id, &self.plus_groups)?;
        check_targets(&self.id, &self.targets)?;
        check_metrics(&self.id, &self.metrics)?;
        Ok(())
    }
}

/// The PLUS groups' own checks: distinct ids (none called `all`), their rules' and
/// qualifiers' age ranges, their Places (none empty or repeated), at JSON pointers under
/// `/plus_groups`.
fn check_groups(definition: &str, groups: &[PlusGroup]) -> Result<(), DefinitionError> {
    for (i, g) in groups.iter().enumerate() {
        let group = at("", "plus_groups", Some(i));
        let problem = if g.id == "all" {
            Some("is reserved: the counts call everyone \"all\"".to_owned())
        } else {
            groups[..i].iter().position(|h| h.id == g.id).map(|first| {
                let mut p = "is used twice (first at ".to_owned();
                p.push_str(&at(&at("", "plus_groups", Some(first)), "id)", None));
                p
            })
        };
        if let Some(problem) = problem {
            return Err(DefinitionError::BadGroupId {
                definition: definition.to_owned(),
                path: at(&group, "id", None),
                id: g.id.clone(),
                problem,
            });
        }
        check_rule(definition, &g.rule, &at(&group, "rule", None))?;
        if let Some(r) = g.age {
            check_range(definition, r, &at(&group, "age", None))?;
        }
        for (k, p) in g.places.iter().enumerate() {
            let problem = if p.is_empty() {
                Some("a Place id may not be empty".to_owned())
            } else {
                g.places[..k].iter().position(|q| q == p).map(|first| {
                    format!(
                        "Place {p:?} is listed twice (first at {})",
                        at(&group, "places", Some(first))
                    )
                })
            };
            if let Some(problem) = problem {
                return Err(DefinitionError::BadPlace {
                    definition: definition.to_owned(),
                    path: at(&group, "places", Some(k)),
                    problem,
                });
            }
        }
    }
    Ok(())
}

/// A problem at a JSON pointer of a definition.
fn bad(definition: &str, path: String, problem: String) -> DefinitionError {
    DefinitionError::Bad {
        definition: definition.to_owned(),
        path,
        problem,
    }
}

/// A target proportion: a number from 0 to 1.
fn check_share(definition: &str, v: f64, path: String) -> Result<(), DefinitionError> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(bad(
            definition,
            path,
            format!("the target {v} is not a proportion from 0 to 1"),
        ))
    }
}

/// A target date: `YYYY-MM-DD`.
fn check_date(definition: &str, by: Option<&str>, path: String) -> Result<(), DefinitionError> {
    match by {
        Some(d) if crate::date::Date::parse(d).is_err() => Err(bad(
            definition,
            path,
            format!("{d:?} is not a date (YYYY-MM-DD)"),
        )),
        _ => Ok(()),
    }
}

/// Target overrides: one per metric, each a proportion with an optional date.
fn check_targets(definition: &str, targets: &[TargetOverride]) -> Result<(), DefinitionError> {
    for (i, t) in targets.iter().enumerate() {
        let here = at("", "targets", Some(i));
        if let Some(first) = targets[..i].iter().position(|u| u.metric == t.metric) {
            return Err(bad(
                definition,
                at(&here, "metric", None),
                format!(
                    "metric {:?} has two targets (first at {})",
                    t.metric,
                    at("", "targets", Some(first))
                ),
            ));
        }
        check_share(definition, t.at_least, at(&here, "at_least", None))?;
        check_date(definition, t.by.as_deref(), at(&here, "by", None))?;
    }
    Ok(())
}

/// Local metrics: distinct ids, at most [`MAX_LOCAL_METRICS`], each either a proportion
/// (numerator and denominator) or observed ÷ expected (observed and expected), with a
/// prevalence in (0, 1], a possible age range and a target proportion.
fn check_metrics(definition: &str, metrics: &[LocalMetric]) -> Result<(), DefinitionError> {
    if metrics.len() > MAX_LOCAL_METRICS {
        return Err(bad(
            definition,
            "/metrics".into(),
            format!(
                "{} local metrics; at most {MAX_LOCAL_METRICS} are supported (MAX_LOCAL_METRICS)",
                metrics.len()
            ),
        ));
    }
    for (i, m) in metrics.iter().enumerate() {
        let here = at("", "metrics", Some(i));
        if let Some(first) = metrics[..i].iter().position(|n| n.id == m.id) {
            return Err(bad(
                definition,
                at(&here, "id", None),
                format!(
                    "metric id {:?} is used twice (first at {})",
                    m.id,
                    at(&at("", "metrics", Some(first)), "id", None)
                ),
            ));
        }
        let proportion = (m.numerator.is_some(), m.denominator.is_some());
        let ratio = (m.observed.is_some(), m.expected.is_some());
        match (proportion, ratio) {
            ((true, true), (false, false)) | ((false, false), (true, true)) => {}
            _ => {
                return Err(bad(
                    definition,
                    here,
                    format!(
                        "metric {:?} needs either numerator and denominator (a proportion) or \
                         observed and expected (observed ÷ expected), and not both",
                        m.id
                    ),
                ));
            }
        }
        if let Some(e) = &m.expected
            && !(e.prevalence > 0.0 && e.prevalence <= 1.0)
        {
            return Err(bad(
                definition,
                at(&at(&here, "expected", None), "prevalence", None),
                format!(
                    "the expected prevalence {} is not a share above 0 and at most 1",
                    e.prevalence
                ),
            ));
        }
        if let Some(r) = m.age {
            check_range(definition, r, &at(&here, "age", None))?;
        }
        if let Some(t) = &m.target {
            let path = at(&here, "target", None);
            check_share(definition, t.at_least, at(&path, "at_least", None))?;
            check_date(definition, t.by.as_deref(), at(&path, "by", None))?;
        }
    }
    Ok(())
}

impl LocalDefinition {
    /// The local file's own checks, with JSON pointers into it: its PLUS groups, targets and
    /// metrics as [`CohortDefinition::check`] checks a definition's.
    ///
    /// # Errors
    /// The first problem, with its JSON pointer.
    pub fn check(&self) -> Result<(), DefinitionError> {
        check_groups(&self.id, &self.plus_groups)?;
        check_targets(&self.id, &self.targets)?;
        check_metrics(&self.id, &self.metrics)
    }

    /// The whole definition: the built-in one it extends, with its PLUS groups added (or
    /// replacing the base's of the same id), its targets (replacing the base's for the same
    /// metric) and its metrics; id, label and version are the local file's, and
    /// [`CohortDefinition::based_on`] names the base.
    ///
    /// # Errors
    /// An `extends` that is no built-in definition, the local file's own problems (with JSON
    /// pointers into it), or the whole definition's.
    pub fn apply(&self) -> Result<CohortDefinition, DefinitionError> {
        self.check()?;
        let mut d = match self.extends.as_str() {
            "national" => CohortDefinition::national(),
            "coventry-warwickshire" => CohortDefinition::coventry_warwickshire(),
            other => {
                return Err(bad(
                    &self.id,
                    "/extends".into(),
                    format!(
                        "{other:?} is not a built-in definition; extend national or coventry-warwickshire"
                    ),
                ));
            }
        };
        d.based_on = Some(format!("{} v{}", d.id, d.version));
        d.id.clone_from(&self.id);
        d.label.clone_from(&self.label);
        d.version = self.version;
        for g in &self.plus_groups {
            match d.plus_groups.iter_mut().find(|h| h.id == g.id) {
                Some(h) => *h = g.clone(),
                None => d.plus_groups.push(g.clone()),
            }
        }
        for t in &self.targets {
            match d.targets.iter_mut().find(|u| u.metric == t.metric) {
                Some(u) => *u = t.clone(),
                None => d.targets.push(t.clone()),
            }
        }
        d.metrics.extend(self.metrics.iter().cloned());
        d.check()?;
        Ok(d)
    }
}

/// The JSON pointer of `key` (and, with an index, of item `index` of it) inside `base`:
/// `at("/plus_groups/2", "rule", None)` is `/plus_groups/2/rule`. Keys here never need escaping.
pub(super) fn at(base: &str, key: &str, index: Option<usize>) -> String {
    let mut p = String::with_capacity(base.len() + key.len() + 4);
    p.push_str(base);
    p.push('/');
    p.push_str(key);
    if let Some(i) = index {
        p.push('/');
        p.push_str(&i.to_string());
    }
    p
}

/// An age range someone can be in: min at most max, and min at most [`MAX_AGE`] (at JSON
/// pointer `path`).
fn check_range(definition: &str, r: AgeRange, path: &str) -> Result<(), DefinitionError> {
    let problem = if r.min > r.max {
        format!(
            "the age range {} to {} is empty: min is above max",
            r.min, r.max
        )
    } else if r.min > MAX_AGE {
        format!(
            "the age range {} to {} starts above {MAX_AGE}, the oldest age a record can have",
            r.min, r.max
        )
    } else {
        return Ok(());
    };
    Err(DefinitionError::BadAge {
        definition: definition.to_owned(),
        path: path.to_owned(),
        problem,
    })
}

/// Every age range inside `rule` (at JSON pointer `path`).
fn check_rule(definition: &str, rule: &Rule, path: &str) -> Result<(), DefinitionError> {
    let (name, rules) = match rule {
        Rule::Age(r) => return check_range(definition, *r, &at(path, "age", None)),
        Rule::Not(r) => return check_rule(definition, r, &at(path, "not", None)),
        Rule::AtLeast(a) => {
            let here = at(path, "at_least", None);
            if a.count == 0 || usize::from(a.count) > a.of.len() {
                return Err(bad(
                    definition,
                    at(&here, "count", None),
                    format!(
                        "at least {} of {} rules can never be decided that way; the count must be from 1 to the number of rules",
                        a.count,
                        a.of.len()
                    ),
                ));
            }
            return a
                .of
                .iter()
                .enumerate()
                .try_for_each(|(k, r)| check_rule(definition, r, &at(&here, "of", Some(k))));
        }
        Rule::AnyOf(rs) => ("any_of", rs),
        Rule::AllOf(rs) => ("all_of", rs),
        _ => return Ok(()),
    };
    rules
        .iter()
        .enumerate()
        .try_for_each(|(k, r)| check_rule(definition, r, &at(path, name, Some(k))))
}
