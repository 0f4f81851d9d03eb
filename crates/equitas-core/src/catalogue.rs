//! The Core20PLUS5 catalogue: the data equitas ships about the national frameworks, typed.
//!
//! Every list here is a seed file under `seeds/catalogue/`, embedded at compile time and checked
//! against its JSON Schema (`seeds/schema/`) by the test suite. Nothing in this module is policy
//! written in Rust: a target, a PLUS group or a code list changes by editing the JSON. Items the
//! project could not confirm against a primary source carry `status: "unconfirmed"` and are meant
//! to be overridden locally.
//!
//! ```
//! let cat = equitas_core::catalogue::Catalogue::builtin();
//! assert_eq!(cat.clinical_areas.areas.iter().filter(|a| a.population == equitas_core::catalogue::Population::Adult).count(), 5);
//! assert_eq!(cat.protected_characteristics.items.len(), 9);
//! ```

use std::sync::OnceLock;

use serde::Serialize;

use crate::read::{FromJson, ReadError};

/// Whether a fact was checked against a primary source (`../shared/domain/uk-frameworks.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// Checked against a published primary source.
    Confirmed,
    /// Best-known value that could not be checked; configure it locally before relying on it.
    Unconfirmed,
}

/// Which Core20PLUS5 a clinical area belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Population {
    /// The adult Core20PLUS5.
    Adult,
    /// The children and young people's Core20PLUS5.
    Cyp,
}

/// An inclusive age range in whole years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "an age range: an object")]
pub struct AgeRange {
    /// Youngest age included.
    pub min: u8,
    /// Oldest age included.
    pub max: u8,
}

impl AgeRange {
    /// Whether `age` lies in the range.
    #[must_use]
    pub fn contains(&self, age: u8) -> bool {
        (self.min..=self.max).contains(&age)
    }
}

/// A link to where a fact came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a source: an object")]
pub struct Source {
    /// Short title of the source.
    pub title: String,
    /// Public address of the source.
    pub url: String,
}

/// `seeds/catalogue/clinical-areas.json`: the ten clinical areas and the cross-cutting threads.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ClinicalAreas {
    /// Version of this file's content (bumped on every change).
    pub version: u32,
    /// The adult five then the CYP five.
    pub areas: Vec<ClinicalArea>,
    /// Threads that run through all areas (smoking cessation).
    pub cross_cutting: Vec<CrossCutting>,
}

/// One Core20PLUS5 clinical area.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a clinical area: an object")]
pub struct ClinicalArea {
    /// Stable id, lower snake case (e.g. `smi`).
    pub id: String,
    /// Adult or children and young people.
    pub population: Population,
    /// Short name for tables.
    pub label: String,
    /// The national ambition, in equitas's own words.
    pub ambition: String,
    /// Ages the area applies to, where the ambition names them (CYP mental health is 0–17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_range: Option<AgeRange>,
    /// Whether the ambition was confirmed.
    pub status: Status,
    /// Why the status is what it is, or what changed over time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the ambition comes from.
    pub sources: Vec<Source>,
    /// Measurable metrics of the ambition.
    pub metrics: Vec<Metric>,
}

/// A metric of an ambition: a numerator event over a denominator register.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a metric: an object")]
pub struct Metric {
    /// Stable id (e.g. `smi_annual_health_check`).
    pub id: String,
    /// Short name for tables.
    pub label: String,
    /// Who counts in the numerator: people in the denominator with this event recorded.
    pub numerator: Numerator,
    /// Who counts in the denominator.
    pub denominator: Denominator,
    /// The target, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Whether the metric's definition and target were confirmed.
    pub status: Status,
    /// Caveats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The numerator of a metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a numerator: an object")]
pub struct Numerator {
    /// Event id recorded in a person's `events` (e.g. `smi_health_check`).
    pub event: String,
    /// Plain description of the event.
    pub description: String,
}

/// The denominator of a metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a denominator: an object")]
pub struct Denominator {
    /// Condition id from `conditions.json` whose register forms the denominator.
    pub condition: String,
    /// Plain description of the denominator.
    pub description: String,
}

/// A target rate for a metric.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a target: an object")]
pub struct Target {
    /// The target as a proportion in 0..=1 that the rate should reach or exceed.
    pub at_least: f64,
    /// When the target is due (ISO date), if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Whether the number was confirmed.
    pub status: Status,
}

/// A theme that runs through every clinical area.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CrossCutting {
    /// Stable id (`smoking_cessation`).
    pub id: String,
    /// Short name.
    pub label: String,
    /// What it means, in equitas's own words.
    pub description: String,
    /// Whether it was confirmed.
    pub status: Status,
    /// Where it comes from.
    pub sources: Vec<Source>,
}

/// `seeds/catalogue/conditions.json`: conditions a person record may carry.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// Version of this file's content.
    pub version: u32,
    /// The conditions.
    pub conditions: Vec<Condition>,
}

/// A recorded condition (a register) and the clinical areas it puts a person in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a condition: an object")]
pub struct Condition {
    /// Stable id used in the `conditions` column (e.g. `copd`).
    pub id: String,
    /// Plain name.
    pub label: String,
    /// Adult clinical area id this condition puts an adult in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adult_area: Option<String>,
    /// CYP clinical area id this condition puts a child or young person in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cyp_area: Option<String>,
    /// Whether it counts as a long-term condition (for multimorbidity).
    pub long_term: bool,
}

/// `seeds/catalogue/icd10.json`: indicative ICD-10 code ranges per condition.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Icd10CodeLists {
    /// Version of this file's content.
    pub version: u32,
    /// Always `indicative`: these ranges are a starting point, not a validated code list.
    pub status: CodeListStatus,
    /// What the lists are and are not.
    pub note: String,
    /// One list per condition.
    pub lists: Vec<Icd10List>,
}

/// How far a code list can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CodeListStatus {
    /// A starting point to be checked against a local, clinically assured list.
    Indicative,
}

/// The ICD-10 ranges that map to one condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a code list: an object")]
pub struct Icd10List {
    /// Condition id from `conditions.json`.
    pub condition: String,
    /// Ranges of three-character categories, `J44` or `F20-F29` (inclusive); a code matches by
    /// its first three characters.
    pub ranges: Vec<String>,
}

/// `seeds/catalogue/groups.json`: population groups named by the frameworks, and the flags a
/// person record can carry in its `groups` column.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Groups {
    /// Version of this file's content.
    pub version: u32,
    /// NHS England's inclusion health groups.
    pub inclusion_health_groups: Vec<GroupItem>,
    /// The national examples of PLUS groups (adults).
    pub plus_examples: Vec<GroupItem>,
    /// The groups the CYP Core20PLUS5 asks to consider in addition.
    pub cyp_plus_additional: Vec<GroupItem>,
    /// Every flag that may appear in a record's `groups` column.
    pub record_flags: Vec<GroupItem>,
}

/// A named group or flag.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a group: an object")]
pub struct GroupItem {
    /// Stable id.
    pub id: String,
    /// Plain name.
    pub label: String,
    /// Extra explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it was confirmed.
    pub status: Status,
    /// Where it comes from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// `seeds/catalogue/protected-characteristics.json`: the nine characteristics of the Equality
/// Act 2010.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProtectedCharacteristics {
    /// Version of this file's content.
    pub version: u32,
    /// The characteristics.
    pub items: Vec<ProtectedCharacteristic>,
}

/// One protected characteristic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProtectedCharacteristic {
    /// Stable id.
    pub id: String,
    /// Plain name.
    pub label: String,
    /// Section of the Equality Act 2010 that defines it: ss5–12 for eight of them; pregnancy and
    /// maternity has no defining section of its own, so it carries s4, which lists all nine
    /// (its discrimination provisions are ss17–18).
    pub act_section: u8,
}

/// `seeds/catalogue/strategic-priorities.json`: NHS England's five priority areas.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StrategicPriorities {
    /// Version of this file's content.
    pub version: u32,
    /// The priorities in order.
    pub priorities: Vec<Priority>,
}

/// One strategic priority.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a priority: an object")]
pub struct Priority {
    /// Stable id.
    pub id: String,
    /// Position 1..=5.
    pub number: u8,
    /// Plain name.
    pub label: String,
    /// What it asks of organisations, in equitas's own words.
    pub description: String,
    /// Where it comes from.
    pub sources: Vec<Source>,
}

/// `seeds/catalogue/ethnicity.json`: NHS ethnic category codes and their broad groups.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Ethnicity {
    /// Version of this file's content.
    pub version: u32,
    /// The broad groups, in reporting order; the last is "not stated or not known".
    pub broad_groups: Vec<BroadGroup>,
    /// The category codes.
    pub categories: Vec<EthnicCategory>,
}

/// A broad ethnic group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BroadGroup {
    /// Stable id (e.g. `asian`).
    pub id: String,
    /// Plain name.
    pub label: String,
    /// Whether people in this group count as an ethnic minority for the PLUS example
    /// (`white` is split further by category; see [`EthnicCategory::minority`]).
    pub stated: bool,
}

/// One NHS ethnic category code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "an ethnic category: an object")]
pub struct EthnicCategory {
    /// The code as recorded (`A`..`Z`, or `99`).
    pub code: String,
    /// Plain name.
    pub label: String,
    /// Broad group id.
    pub broad_group: String,
    /// Whether the category is an ethnic minority (every stated category except White British).
    pub minority: bool,
}

/// The whole built-in catalogue, parsed once.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Catalogue {
    /// Clinical areas and metrics.
    pub clinical_areas: ClinicalAreas,
    /// Recordable conditions.
    pub conditions: Conditions,
    /// Indicative ICD-10 code lists.
    pub icd10: Icd10CodeLists,
    /// Population groups and record flags.
    pub groups: Groups,
    /// Protected characteristics.
    pub protected_characteristics: ProtectedCharacteristics,
    /// Strategic priorities.
    pub strategic_priorities: StrategicPriorities,
    /// Ethnic categories.
    pub ethnicity: Ethnicity,
}

/// The raw text of each built-in seed file, by file name.
pub const SEED_FILES: &[(&str, &str)] = &[
    (
        "clinical-areas.json",
        seed_text!("catalogue/clinical-areas.json"),
    ),
    ("conditions.json", seed_text!("catalogue/conditions.json")),
    ("icd10.json", seed_text!("catalogue/icd10.json")),
    ("groups.json", seed_text!("catalogue/groups.json")),
    (
        "protected-characteristics.json",
        seed_text!("catalogue/protected-characteristics.json"),
    ),
    (
        "strategic-priorities.json",
        seed_text!("catalogue/strategic-priorities.json"),
    ),
    ("ethnicity.json", seed_text!("catalogue/ethnicity.json")),
];

/// A seed file that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("catalogue file {file} is not valid: {source}")]
pub struct CatalogueError {
    /// File name.
    pub file: String,
    /// What is wrong, and where.
    #[source]
    pub source: ReadError,
}

fn seed(name: &str) -> &'static str {
    SEED_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, text)| text)
}

fn parse<T: crate::read::FromJson>(name: &str) -> Result<T, CatalogueError> {
    crate::read::from_str(seed(name)).map_err(|source| CatalogueError {
        file: name.to_owned(),
        source,
    })
}

impl Catalogue {
    /// Parse the built-in seed files.
    ///
    /// # Errors
    /// A seed file that does not match its type (caught by the test suite before release).
    pub fn parse_builtin() -> Result<Self, CatalogueError> {
        Ok(Self {
            clinical_areas: parse("clinical-areas.json")?,
            conditions: parse("conditions.json")?,
            icd10: parse("icd10.json")?,
            groups: parse("groups.json")?,
            protected_characteristics: parse("protected-characteristics.json")?,
            strategic_priorities: parse("strategic-priorities.json")?,
            ethnicity: parse("ethnicity.json")?,
        })
    }

    /// The built-in catalogue, parsed on first use.
    ///
    /// # Panics
    /// Never for a released build: every seed file is parsed by the test suite, so a broken seed
    /// cannot ship. The panic names the file should it ever happen.
    #[must_use]
    #[allow(
        clippy::panic,
        reason = "seed files are compiled in and tested; not user input"
    )]
    pub fn builtin() -> &'static Self {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| match Self::parse_builtin() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        })
    }

    /// A clinical area by id.
    #[must_use]
    pub fn area(&self, id: &str) -> Option<&ClinicalArea> {
        self.clinical_areas.areas.iter().find(|a| a.id == id)
    }

    /// A condition by id.
    #[must_use]
    pub fn condition(&self, id: &str) -> Option<&Condition> {
        self.conditions.conditions.iter().find(|c| c.id == id)
    }

    /// Every metric with the clinical area it belongs to.
    pub fn metrics(&self) -> impl Iterator<Item = (&ClinicalArea, &Metric)> {
        self.clinical_areas
            .areas
            .iter()
            .flat_map(|a| a.metrics.iter().map(move |m| (a, m)))
    }

    /// The condition an ICD-10 code maps to under the indicative code lists, matching on the
    /// code's first three characters (`J44.1`, `J441` and `J44` all map like `J44`).
    #[must_use]
    pub fn condition_for_icd10(&self, code: &str) -> Option<&str> {
        let cat = icd10_category(code)?;
        self.icd10.lists.iter().find_map(|list| {
            list.ranges
                .iter()
                .any(|r| range_contains(r, cat))
                .then_some(list.condition.as_str())
        })
    }
}

/// The three-character ICD-10 category of a code (`J44.1` → `J44`), if it looks like ICD-10.
#[must_use]
pub fn icd10_category(code: &str) -> Option<[u8; 3]> {
    let b = code.as_bytes();
    if b.len() < 3 || !b[0].is_ascii_uppercase() || !b[1].is_ascii_digit() {
        return None;
    }
    // The third character is a digit, except a few categories like U07; keep it strict.
    if !b[2].is_ascii_digit() {
        return None;
    }
    let rest = &b[3..];
    let rest = rest.strip_prefix(b".").unwrap_or(rest);
    if !rest.iter().all(|c| c.is_ascii_alphanumeric()) || rest.len() > 4 {
        return None;
    }
    Some([b[0], b[1], b[2]])
}

fn range_contains(range: &str, cat: [u8; 3]) -> bool {
    let (lo, hi) = range.split_once('-').unwrap_or((range, range));
    match (icd10_category(lo), icd10_category(hi)) {
        (Some(lo), Some(hi)) => lo <= cat && cat <= hi,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icd10_categories() {
        assert_eq!(icd10_category("J44.1"), Some(*b"J44"));
        assert_eq!(icd10_category("J441"), Some(*b"J44"));
        assert_eq!(icd10_category("F20"), Some(*b"F20"));
        assert_eq!(icd10_category("j44"), None);
        assert_eq!(icd10_category("smi"), None);
        assert_eq!(icd10_category("J4"), None);
        assert!(range_contains("F20-F29", *b"F25"));
        assert!(!range_contains("F20-F29", *b"F30"));
        assert!(range_contains("J44", *b"J44"));
    }
}
