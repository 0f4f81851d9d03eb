//! Place: a person's area → its value in a place lookup → a Place (a grouping of values, or the
//! value itself); PLUS groups scoped to Places apply only to people of those Places.

use super::definition::at;
use super::{Classifier, DefinitionError};
use crate::geography::{PlaceLookup, Places};

/// Places that cannot be used with a definition and a lookup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlaceError {
    /// A PLUS group scoped to a Place that is not in use.
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    /// Places none of whose values any area of the lookup has (a wrong lookup column, say): the
    /// first such value is named.
    #[error(
        "places file {places} at {path}: Place {place:?} is made of {area:?}, which no area of the place lookup has in its column {column:?}; is the lookup's column the right one?"
    )]
    NotInLookup {
        /// The Places file's id.
        places: String,
        /// JSON pointer of the value.
        path: String,
        /// The Place.
        place: String,
        /// The value.
        area: String,
        /// The lookup's value column.
        column: String,
    },
    /// Places given after breakdowns were compiled.
    #[error("places must be given before breakdowns (with_places, then with_breakdowns)")]
    Order,
}

/// The place lookup and Places, compiled for the hot path.
#[derive(Debug, Clone)]
pub(super) struct Tables<'a> {
    pub lookup: &'a PlaceLookup,
    /// The Place cell of each lookup value; one more entry, the last, for an area not in the
    /// lookup (the "unknown" cell).
    pub cell_of_value: Vec<u16>,
    /// The Place cells: each Place's id (or each value, with no grouping), then `other` (with a
    /// grouping: values in no Place), then `unknown`.
    pub cells: Vec<String>,
    /// For each Place cell, the PLUS groups scoped to it (as bits).
    pub allowed: Vec<u64>,
    /// The lookup's value of each row of the deprivation index ([`super::NO_PLACE`] when the
    /// lookup lacks it): an area found in the index needs no second hash lookup.
    pub value_of_row: Vec<u16>,
}

impl<'a> Classifier<'a> {
    /// Put every person in a Place: their area's value in `lookup`, grouped by `places` when
    /// given (Coventry and Warwickshire's four Places are groupings of local authorities; see
    /// [`Places::coventry_warwickshire`]). A person whose area is not in the lookup (or who has
    /// no area) is in Place `unknown`; with a grouping, one whose value is in no Place is in
    /// `other`. PLUS groups scoped to Places ([`super::PlusGroup::places`]) then hold only for
    /// people of those Places. Call it before [`Self::with_breakdowns`], which can then break
    /// down by `place` and `lookup`.
    ///
    /// ```
    /// use equitas_core::cohort::{Classifier, CohortDefinition, PersonRecord};
    /// use equitas_core::geography::{PlaceLookup, Places};
    ///
    /// // Two areas of Coventry, one of Warwick (local authority codes, as the ONS lookup has).
    /// let lookup = PlaceLookup::from_pairs("lsoa11_code", "ltla22_code", [
    ///     ("E01009569", "E08000026"),
    ///     ("E01009570", "E08000026"),
    ///     ("E01031321", "E07000222"),
    /// ])?;
    /// let places = Places::coventry_warwickshire();
    /// let c = Classifier::new(CohortDefinition::coventry_warwickshire(), None)?
    ///     .with_places(&lookup, Some(&places))?;
    /// let sick = |area: &str| -> Result<Vec<String>, Box<dyn std::error::Error>> {
    ///     let p = PersonRecord::from_json(&format!(
    ///         r#"{{"id": "p", "age": 40, "area": "{area}", "groups": ["long_term_sickness_benefit"]}}"#
    ///     ))?;
    ///     Ok(c.describe(&c.classify(&p)?).plus_groups)
    /// };
    /// // Long-term sickness is a Coventry PLUS group: it holds in Coventry only.
    /// assert_eq!(sick("E01009569")?, ["long_term_sickness"]);
    /// assert!(sick("E01031321")?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// Places made of values no area of the lookup has ([`PlaceError::NotInLookup`]), a PLUS
    /// group scoped to a Place not in use (naming its JSON pointer in the definition), or
    /// breakdowns already compiled.
    pub fn with_places(
        mut self,
        lookup: &'a PlaceLookup,
        places: Option<&Places>,
    ) -> Result<Self, PlaceError> {
        if !self.breakdowns.is_empty() {
            return Err(PlaceError::Order);
        }
        let n_values = lookup.values().len();
        let (mut cells, mut cell_of_value, grouped) = match places {
            Some(places) => {
                let n = places.places.len();
                let other = u16::try_from(n).unwrap_or(u16::MAX);
                let mut cell_of_value = vec![other; n_values];
                let mut found = false;
                for (i, p) in places.places.iter().enumerate() {
                    for a in &p.areas {
                        // A value no area has is allowed (a lookup cut to part of the system
                        // leaves a Place empty, as the report shows); none found at all is not.
                        if let Ok(v) = lookup.values().binary_search(a) {
                            cell_of_value[v] = u16::try_from(i).unwrap_or(u16::MAX);
                            found = true;
                        }
                    }
                }
                if !found {
                    let (place, area) = places
                        .places
                        .first()
                        .and_then(|p| p.areas.first().map(|a| (p.id.clone(), a.clone())))
                        .unwrap_or_default();
                    return Err(PlaceError::NotInLookup {
                        places: places.id.clone(),
                        path: "/places/0/areas/0".to_owned(),
                        place,
                        area,
                        column: lookup.value_column().to_owned(),
                    });
                }
                let mut cells: Vec<String> = places.places.iter().map(|p| p.id.clone()).collect();
                cells.push("other".to_owned());
                (cells, cell_of_value, true)
            }
            None => {
                let cells = lookup.values().to_vec();
                let cell_of_value = (0..n_values)
                    .map(|v| u16::try_from(v).unwrap_or(u16::MAX))
                    .collect();
                (cells, cell_of_value, false)
            }
        };
        let unknown = u16::try_from(cells.len()).unwrap_or(u16::MAX);
        cells.push("unknown".to_owned());
        cell_of_value.push(unknown);
        let known = cells.len() - usize::from(grouped) - 1;
        let mut allowed = vec![0u64; cells.len()];
        for (g, group) in self.definition.plus_groups.iter().enumerate() {
            for (k, id) in group.places.iter().enumerate() {
                let Some(c) = cells[..known].iter().position(|c| c == id) else {
                    let mut listed = cells[..known].iter().take(20).cloned().collect::<Vec<_>>();
                    if known > 20 {
                        listed.push(format!("and {} more", known - 20));
                    }
                    return Err(DefinitionError::BadPlace {
                        definition: self.definition.id.clone(),
                        path: at(&at("", "plus_groups", Some(g)), "places", Some(k)),
                        problem: format!(
                            "PLUS group {:?} is scoped to Place {id:?}, which is not one of the Places in use ({})",
                            group.id,
                            listed.join(", ")
                        ),
                    }
                    .into());
                };
                allowed[c] |= 1 << g;
            }
        }
        let value_of_row = self.index.map_or_else(Vec::new, |ix| {
            ix.codes()
                .iter()
                .map(|c| lookup.get(*c).unwrap_or(super::NO_PLACE))
                .collect()
        });
        self.places = Some(Tables {
            lookup,
            cell_of_value,
            cells,
            allowed,
            value_of_row,
        });
        Ok(self)
    }

    /// The Place cells, when there is a place lookup: each Place's id (or each lookup value,
    /// with no grouping), then `other` (with a grouping), then `unknown`.
    #[must_use]
    pub fn place_cells(&self) -> &[String] {
        self.places.as_ref().map_or(&[], |p| &p.cells)
    }

    /// The place lookup in use, if any.
    #[must_use]
    pub fn place_lookup(&self) -> Option<&'a PlaceLookup> {
        self.places.as_ref().map(|p| p.lookup)
    }

    /// The ids of the PLUS groups scoped to Places that no one can be in, because there is no
    /// place lookup: a report says so.
    #[must_use]
    pub fn unplaced_groups(&self) -> Vec<&str> {
        if self.places.is_some() {
            return Vec::new();
        }
        self.definition
            .plus_groups
            .iter()
            .filter(|g| !g.places.is_empty())
            .map(|g| g.id.as_str())
            .collect()
    }

    pub(super) fn place_tables(&self) -> Option<&Tables<'a>> {
        self.places.as_ref()
    }
}
