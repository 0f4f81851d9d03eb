//! `CohortDefinition`: the local choices that turn records into Core20PLUS5 cohorts, as data.

use crate::read::FromJson;
use serde::Serialize;

use super::{DefinitionError, MAX_AGE, MAX_AGE_BANDS, MAX_PLUS_GROUPS};
use crate::catalogue::{AgeRange, Status};
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
    /// Any of the rules holds.
    AnyOf(Vec<Rule>),
    /// All of the rules hold.
    AllOf(Vec<Rule>),
    /// The rule does not hold.
    Not(Box<Rule>),
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
        for (i, g) in self.plus_groups.iter().enumerate() {
            let group = at("", "plus_groups", Some(i));
            let problem = if g.id == "all" {
                Some("is reserved: the counts call everyone \"all\"".to_owned())
            } else {
                self.plus_groups[..i]
                    .iter()
                    .position(|h| h.id == g.id)
                    .map(|first| {
                        let mut p = "is used twice (first at ".to_owned();
                        p.push_str(&at(&at("", "plus_groups", Some(first)), "id)", None));
                        p
                    })
            };
            if let Some(problem) = problem {
                return Err(DefinitionError::BadGroupId {
                    definition: id(),
                    path: at(&group, "id", None),
                    id: g.id.clone(),
                    problem,
                });
            }
            check_rule(&self.id, &g.rule, &at(&group, "rule", None))?;
            for (k, p) in g.places.iter().enumerate() {
                let problem = if p.is_empty() {
                    Some("a Place id may not be empty".to_owned())
                } else {
                    g.places[..k].iter().position(|q| q == p).map(|first| {
                        format!(
                            "Place {p:?} is listed twice (first at {})",
                            at(&at(&group, "places", Some(first)), "", None).trim_end_matches('/')
                        )
                    })
                };
                if let Some(problem) = problem {
                    return Err(DefinitionError::BadPlace {
                        definition: id(),
                        path: at(&group, "places", Some(k)),
                        problem,
                    });
                }
            }
        }
        Ok(())
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
        Rule::AnyOf(rs) => ("any_of", rs),
        Rule::AllOf(rs) => ("all_of", rs),
        _ => return Ok(()),
    };
    rules
        .iter()
        .enumerate()
        .try_for_each(|(k, r)| check_rule(definition, r, &at(path, name, Some(k))))
}
