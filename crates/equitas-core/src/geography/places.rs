//! `Places`: the Places a system plans by, as groupings of a lookup's values (local
//! authorities, say), read from data.

use serde::Serialize;

use crate::read::FromJson;

/// The largest Places file read, in bytes: 1 MiB (the Coventry and Warwickshire one is under
/// 2 KB).
pub const MAX_PLACES_BYTES: usize = 1 << 20;

/// The most Places a file may define: 1,000 (England has 42 ICBs and about 1,250 PCNs; a Place
/// is larger than a PCN). The report adds two cells, "other" and "unknown".
pub const MAX_PLACES: usize = 1_000;

/// The Places of a system: each a named grouping of the values of a place lookup (for
/// Coventry and Warwickshire, its six local authorities grouped into four Places).
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "the Places of a system: an object")]
pub struct Places {
    /// Stable id of this file.
    pub id: String,
    /// Plain name.
    pub label: String,
    /// Version of this file's content.
    pub version: u32,
    /// What the values grouped are (`local authority`): the column of the lookup used with it.
    pub level: String,
    /// Where the grouping comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The Places, in reporting order.
    pub places: Vec<NamedPlace>,
}

/// One Place: its id, name and the lookup values (local authority codes, say) it is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a Place: an object")]
pub struct NamedPlace {
    /// Stable id (`warwickshire_north`), as PLUS groups scoped to it name it.
    pub id: String,
    /// Plain name (`Warwickshire North`).
    pub label: String,
    /// The lookup values it is made of (`E07000218`, `E07000219`).
    pub areas: Vec<String>,
    /// What the values are called, or where they come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A Places file that cannot be used: what is wrong, with the JSON pointer of the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlacesError {
    /// Not valid JSON of the right shape (the message has the JSON pointer).
    #[error("places file is not valid: {0}")]
    Parse(String),
    /// A value that contradicts the rest, at a JSON pointer.
    #[error("places file {id} at {path}: {problem}")]
    Bad {
        /// The file's id.
        id: String,
        /// JSON pointer of the value.
        path: String,
        /// What is wrong, naming the value.
        problem: String,
    },
}

impl Places {
    /// The Coventry and Warwickshire Places (`seeds/places/coventry-warwickshire.json`):
    /// Coventry, Rugby, Warwickshire North and South Warwickshire as groupings of the ICB's six
    /// local authorities (`../shared/domain/uk-frameworks.md` §2.6).
    ///
    /// # Panics
    /// Never for a released build: the seed is parsed by the test suite.
    #[must_use]
    #[allow(
        clippy::panic,
        reason = "seed files are compiled in and tested; not user input"
    )]
    pub fn coventry_warwickshire() -> Self {
        match Self::from_json(seed_text!("places/coventry-warwickshire.json")) {
            Ok(p) => p,
            Err(e) => panic!("built-in Coventry and Warwickshire places: {e}"),
        }
    }

    /// Read a Places file and [check](Self::check) it.
    ///
    /// # Errors
    /// Text longer than [`MAX_PLACES_BYTES`], not JSON of the right shape (naming the JSON
    /// pointer), or what [`Self::check`] finds.
    pub fn from_json(text: &str) -> Result<Self, PlacesError> {
        if text.len() > MAX_PLACES_BYTES {
            return Err(PlacesError::Parse(format!(
                "the file is {} bytes; at most {MAX_PLACES_BYTES} are read (MAX_PLACES_BYTES)",
                text.len()
            )));
        }
        let places: Self =
            crate::read::from_str(text).map_err(|e| PlacesError::Parse(e.to_string()))?;
        places.check()?;
        Ok(places)
    }

    /// At least one and at most [`MAX_PLACES`] Places, with distinct ids that are not `all`,
    /// `other` or `unknown` (the report's names for a margin, an area in no Place and an unknown
    /// one), each made of at least one value, and no value in two Places.
    ///
    /// # Errors
    /// The first problem, with the JSON pointer of the bad value.
    pub fn check(&self) -> Result<(), PlacesError> {
        let bad = |path: String, problem: String| PlacesError::Bad {
            id: self.id.clone(),
            path,
            problem,
        };
        if self.places.is_empty() || self.places.len() > MAX_PLACES {
            return Err(bad(
                "/places".into(),
                format!(
                    "{} Places; from 1 to {MAX_PLACES} are allowed (MAX_PLACES)",
                    self.places.len()
                ),
            ));
        }
        for (i, p) in self.places.iter().enumerate() {
            if super::RESERVED_VALUES.contains(&p.id.as_str()) {
                return Err(bad(
                    format!("/places/{i}/id"),
                    format!("Place id {:?} is reserved for the report; rename it", p.id),
                ));
            }
            if let Some(first) = self.places[..i].iter().position(|q| q.id == p.id) {
                return Err(bad(
                    format!("/places/{i}/id"),
                    format!(
                        "Place id {:?} is used twice (first at /places/{first}/id)",
                        p.id
                    ),
                ));
            }
            if p.areas.is_empty() {
                return Err(bad(
                    format!("/places/{i}/areas"),
                    format!("Place {:?} is made of no areas", p.id),
                ));
            }
            for (k, a) in p.areas.iter().enumerate() {
                let earlier = self.places[..=i].iter().enumerate().find_map(|(j, q)| {
                    let upto = if j == i { k } else { q.areas.len() };
                    q.areas[..upto]
                        .iter()
                        .position(|b| b == a)
                        .map(|m| format!("/places/{j}/areas/{m}"))
                });
                if let Some(first) = earlier {
                    return Err(bad(
                        format!("/places/{i}/areas/{k}"),
                        format!("area {a:?} is in two Places (first at {first})"),
                    ));
                }
            }
        }
        Ok(())
    }
}
