//! The compact, allocation-free form of a person record used on the hot path.

use super::{BitSet, Sex, Smoking};
use crate::deprivation::{AreaId, ImdDecile};

/// Deprivation as resolved for one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deprivation {
    /// A decile from the index or given directly.
    Known(ImdDecile),
    /// An area code not in the index.
    UnknownArea,
    /// Neither an area nor a decile.
    #[default]
    None,
}

/// No place: the area is not in the place lookup, or there is no area (or no lookup).
pub const NO_PLACE: u16 = u16::MAX;

/// What a record's area and decile resolve to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedArea {
    /// Deprivation.
    pub deprivation: Deprivation,
    /// The deprivation index row it came from, when one did.
    pub area: Option<AreaId>,
    /// The place lookup's value for the area ([`NO_PLACE`] when none).
    pub place: u16,
    /// What the LSOA 2011-2021 bridge did with the area (an index into
    /// [`super::BridgeRule::ALL`]; 0 when not bridging).
    pub bridge: u8,
}

/// A person record with every id turned into a bit index by a [`super::Classifier`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactRecord {
    /// Age in whole years.
    pub age: Option<u8>,
    /// Recorded sex.
    pub sex: Sex,
    /// Ethnic category index (catalogue order).
    pub ethnic: u8,
    /// Deprivation.
    pub deprivation: Deprivation,
    /// The row of the deprivation index that gave the deprivation, when one did: the domain
    /// deciles come from it. `None` when the decile was given directly or is unknown.
    pub area: Option<AreaId>,
    /// The place lookup's value index for the area ([`NO_PLACE`] when none).
    pub place: u16,
    /// What the LSOA 2011-2021 bridge did with the area (an index into
    /// [`super::BridgeRule::ALL`]; 0 when not bridging).
    pub bridge: u8,
    /// Condition indices.
    pub conditions: BitSet,
    /// Group flag indices.
    pub flags: BitSet,
    /// Metric event indices.
    pub events: BitSet,
    /// Smoking status.
    pub smoking: Smoking,
}

impl Default for CompactRecord {
    fn default() -> Self {
        Self {
            age: None,
            sex: Sex::default(),
            ethnic: 0,
            deprivation: Deprivation::default(),
            area: None,
            place: NO_PLACE,
            bridge: 0,
            conditions: BitSet::default(),
            flags: BitSet::default(),
            events: BitSet::default(),
            smoking: Smoking::default(),
        }
    }
}
