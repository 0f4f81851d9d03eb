//! Deprivation: IMD editions, area codes, deciles, quintiles, and Core20.
//!
//! A [`DeprivationIndex`] holds one published index (England 2019 on 2011 LSOAs, England 2025 on
//! 2021 LSOAs, Wales 2019, Scotland 2020, Northern Ireland 2017) loaded from a CSV reader. Lookups
//! by area code are O(1) and allocation-free: codes are packed into a `u64` ([`AreaCode`]) and
//! found through a perfect hash built when the file is loaded ([`phf`]).
//!
//! Decile 1 and rank 1 are always the **most** deprived. Quintile 1 is deciles 1–2, and so on.
//! Core20 (NHS England) is national IMD decile 1 or 2 of an **English** edition; asking an index
//! of another nation for Core20 is an error, never `false`.
//!
//! ```
//! use equitas_core::deprivation::{DeprivationIndex, ImdEdition};
//! let csv = "lsoa11_code,IMD_decile,IMD_rank\nE01000001,1,10\nE01000002,6,18000\n";
//! let index = DeprivationIndex::from_csv(csv.as_bytes())?;
//! assert_eq!(index.edition(), ImdEdition::England2019);
//! assert_eq!(index.core20_str("E01000001")?, true);
//! assert_eq!(index.core20_str("E01000002")?, false);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod code;
#[cfg(feature = "csv")]
#[allow(
    clippy::disallowed_methods,
    reason = "the CSV loader: no browser module calls it"
)]
mod load;
pub mod phf;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::read::FromJson;

pub use code::{AreaCode, AreaCodeError};
#[cfg(feature = "csv")]
pub use load::{
    Layout, LoadError, MAX_IMD_AREAS, MAX_IMD_COLUMNS, MAX_IMD_DOMAINS, MAX_IMD_ROW_BYTES,
};

/// A decile of the IMD, 1 (most deprived 10% of areas) to 10 (least deprived).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, FromJson,
)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "ts", tsify(type = "number"))]
#[serde(try_from = "u8", into = "u8")]
#[json(expected = "an IMD decile, a whole number from 1 to 10")]
pub struct ImdDecile(u8);

/// A quintile of the IMD, 1 (most deprived 20%: deciles 1–2) to 5 (deciles 9–10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "ts", tsify(type = "number"))]
#[serde(try_from = "u8", into = "u8")]
pub struct ImdQuintile(u8);

/// A value that is not a decile or quintile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeprivationError {
    /// Decile outside 1..=10, or not a whole number (the value as given).
    #[error("IMD decile must be a whole number from 1 to 10, got {0}")]
    BadDecile(String),
    /// Quintile outside 1..=5.
    #[error("IMD quintile must be a whole number from 1 to 5, got {0}")]
    BadQuintile(String),
    /// Core20 asked of an index that is not English.
    #[error(
        "Core20 is defined on the English IMD only; this index is {0} (use an England 2019 or 2025 file)"
    )]
    Core20NotEngland(ImdEdition),
    /// An area code that is not in the index.
    #[error("area code {code} is not in the {edition} index")]
    UnknownArea {
        /// The code looked up.
        code: String,
        /// The index it was looked up in.
        edition: ImdEdition,
    },
    /// A string that is not an area code at all.
    #[error(transparent)]
    BadCode(#[from] AreaCodeError),
}

impl ImdDecile {
    /// Decile 1, the most deprived 10% of areas.
    pub const MOST_DEPRIVED: Self = Self(1);
    /// Decile 10, the least deprived 10% of areas.
    pub const LEAST_DEPRIVED: Self = Self(10);

    /// A decile from 1..=10.
    ///
    /// # Errors
    /// [`DeprivationError::BadDecile`] naming the value.
    pub fn new(decile: u8) -> Result<Self, DeprivationError> {
        if (1..=10).contains(&decile) {
            Ok(Self(decile))
        } else {
            Err(DeprivationError::BadDecile(decile.to_string()))
        }
    }

    /// A decile from any number (as JavaScript passes one): it must be a whole number 1..=10;
    /// `2.7`, `257` or `NaN` are errors naming the value, never rounded or wrapped.
    ///
    /// # Errors
    /// [`DeprivationError::BadDecile`] naming the value.
    pub fn from_f64(v: f64) -> Result<Self, DeprivationError> {
        if v.fract() == 0.0 && (1.0..=10.0).contains(&v) {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked whole 1..=10"
            )]
            Self::new(v as u8)
        } else {
            Err(DeprivationError::BadDecile(v.to_string()))
        }
    }

    /// The decile number.
    #[must_use]
    pub fn get(self) -> u8 {
        self.0
    }

    /// The quintile this decile falls in (deciles 1–2 → 1, …, 9–10 → 5).
    ///
    /// ```
    /// use equitas_core::deprivation::ImdDecile;
    /// let decile = ImdDecile::new(2)?;
    /// assert_eq!(decile.quintile().get(), 1);
    /// assert!(decile.is_core20());
    /// assert!(ImdDecile::new(11).is_err()); // deciles are 1 to 10
    /// # Ok::<(), equitas_core::deprivation::DeprivationError>(())
    /// ```
    #[must_use]
    pub fn quintile(self) -> ImdQuintile {
        ImdQuintile(self.0.div_ceil(2))
    }

    /// Whether the decile is in the most deprived 20% (deciles 1–2). This is Core20 only when the
    /// decile is from a national English index; [`DeprivationIndex::core20`] checks that.
    #[must_use]
    pub fn is_core20(self) -> bool {
        self.0 <= 2
    }
}

impl TryFrom<u8> for ImdDecile {
    type Error = DeprivationError;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Self::new(v)
    }
}

impl From<ImdDecile> for u8 {
    fn from(d: ImdDecile) -> u8 {
        d.0
    }
}

impl fmt::Display for ImdDecile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ImdQuintile {
    /// A quintile from 1..=5.
    ///
    /// # Errors
    /// [`DeprivationError::BadQuintile`] naming the value.
    pub fn new(q: u8) -> Result<Self, DeprivationError> {
        if (1..=5).contains(&q) {
            Ok(Self(q))
        } else {
            Err(DeprivationError::BadQuintile(q.to_string()))
        }
    }

    /// The quintile number.
    #[must_use]
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for ImdQuintile {
    type Error = DeprivationError;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Self::new(v)
    }
}

impl From<ImdQuintile> for u8 {
    fn from(q: ImdQuintile) -> u8 {
        q.0
    }
}

impl fmt::Display for ImdQuintile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The UK nation an index covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Nation {
    /// England (IMD, MHCLG).
    England,
    /// Wales (WIMD, Welsh Government).
    Wales,
    /// Scotland (SIMD, Scottish Government).
    Scotland,
    /// Northern Ireland (NIMDM, NISRA).
    NorthernIreland,
}

/// A published edition of a deprivation index. Editions of different nations, or of different
/// years, are not comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum ImdEdition {
    /// English Indices of Deprivation 2019, 32,844 LSOAs (2011 boundaries).
    #[serde(rename = "england-2019")]
    England2019,
    /// English Indices of Deprivation 2025, 33,755 LSOAs (2021 boundaries).
    #[serde(rename = "england-2025")]
    England2025,
    /// Welsh Index of Multiple Deprivation 2019, 1,909 LSOAs (2011 boundaries).
    #[serde(rename = "wales-2019")]
    Wales2019,
    /// Scottish Index of Multiple Deprivation 2020, 6,976 data zones (2011).
    #[serde(rename = "scotland-2020")]
    Scotland2020,
    /// Northern Ireland Multiple Deprivation Measure 2017, 890 SOAs (2001).
    #[serde(rename = "northern-ireland-2017")]
    NorthernIreland2017,
}

impl ImdEdition {
    /// Every edition equitas knows.
    pub const ALL: [Self; 5] = [
        Self::England2019,
        Self::England2025,
        Self::Wales2019,
        Self::Scotland2020,
        Self::NorthernIreland2017,
    ];

    /// The id used in files and on the command line (`england-2019`).
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::England2019 => "england-2019",
            Self::England2025 => "england-2025",
            Self::Wales2019 => "wales-2019",
            Self::Scotland2020 => "scotland-2020",
            Self::NorthernIreland2017 => "northern-ireland-2017",
        }
    }

    /// An edition by its id.
    ///
    /// # Errors
    /// The unknown id and the known ones.
    pub fn parse(id: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|e| e.id() == id).ok_or_else(|| {
            let known: Vec<_> = Self::ALL.iter().map(|e| e.id()).collect();
            format!(
                "unknown IMD edition {id:?}; known editions: {}",
                known.join(", ")
            )
        })
    }

    /// The nation covered.
    #[must_use]
    pub fn nation(self) -> Nation {
        match self {
            Self::England2019 | Self::England2025 => Nation::England,
            Self::Wales2019 => Nation::Wales,
            Self::Scotland2020 => Nation::Scotland,
            Self::NorthernIreland2017 => Nation::NorthernIreland,
        }
    }

    /// The number of areas the published edition has.
    #[must_use]
    pub fn published_areas(self) -> usize {
        match self {
            Self::England2019 => 32_844,
            Self::England2025 => 33_755,
            Self::Wales2019 => 1_909,
            Self::Scotland2020 => 6_976,
            Self::NorthernIreland2017 => 890,
        }
    }

    /// The kind of small area the edition uses.
    #[must_use]
    pub fn area_kind(self) -> &'static str {
        match self {
            Self::England2019 | Self::Wales2019 => "LSOA (2011)",
            Self::England2025 => "LSOA (2021)",
            Self::Scotland2020 => "data zone (2011)",
            Self::NorthernIreland2017 => "super output area (2001)",
        }
    }
}

impl fmt::Display for ImdEdition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The position of an area in a [`DeprivationIndex`] (its row), returned by lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaId(pub u32);

/// One published deprivation index, loaded into memory (about 100 bytes an area).
#[derive(Debug, Clone)]
pub struct DeprivationIndex {
    edition: ImdEdition,
    codes: Vec<AreaCode>,
    deciles: Vec<ImdDecile>,
    ranks: Vec<u32>,
    scores: Option<Vec<f64>>,
    domains: Vec<String>,
    /// Row-major: area × domain.
    domain_deciles: Vec<u8>,
    /// Row-major: area × domain; NaN where the file had no rank column for the domain. Ranks
    /// can be fractional: SIMD 2020 gives tied domain ranks as halves (e.g. 4563.5).
    domain_ranks: Vec<f64>,
    /// Local authority district code per area, when the file has one (File 7 does).
    districts: Option<Vec<AreaCode>>,
    #[cfg(feature = "csv")]
    layout: Layout,
    lookup: phf::PerfectHash,
}

/// What an index holds about one area.
#[derive(Debug, Clone, Copy)]
pub struct Area<'a> {
    index: &'a DeprivationIndex,
    id: AreaId,
}

impl Area<'_> {
    fn row(&self) -> usize {
        self.id.0 as usize
    }

    /// The area code.
    #[must_use]
    pub fn code(&self) -> AreaCode {
        self.index.codes[self.row()]
    }

    /// The IMD decile.
    #[must_use]
    pub fn decile(&self) -> ImdDecile {
        self.index.deciles[self.row()]
    }

    /// The IMD quintile.
    #[must_use]
    pub fn quintile(&self) -> ImdQuintile {
        self.decile().quintile()
    }

    /// The IMD rank (1 = most deprived).
    #[must_use]
    pub fn rank(&self) -> u32 {
        self.index.ranks[self.row()]
    }

    /// The IMD score, when the file has scores.
    #[must_use]
    pub fn score(&self) -> Option<f64> {
        self.index.scores.as_ref().map(|s| s[self.row()])
    }

    /// The decile of each domain, in the order of [`DeprivationIndex::domains`].
    #[must_use]
    pub fn domain_deciles(&self) -> &[u8] {
        let n = self.index.domains.len();
        &self.index.domain_deciles[self.row() * n..(self.row() + 1) * n]
    }

    /// The rank of domain `i` (in the order of [`DeprivationIndex::domains`]); `None` when the
    /// file has no rank column for it. Tied ranks may be fractional (SIMD 2020 uses halves).
    #[must_use]
    pub fn domain_rank(&self, i: usize) -> Option<f64> {
        let n = self.index.domains.len();
        if i >= n {
            return None;
        }
        let r = self.index.domain_ranks[self.row() * n + i];
        (!r.is_nan()).then_some(r)
    }

    /// The local authority district, when the file gives one.
    #[must_use]
    pub fn district(&self) -> Option<AreaCode> {
        self.index.districts.as_ref().map(|d| d[self.row()])
    }
}

impl DeprivationIndex {
    /// The edition of this index.
    #[must_use]
    pub fn edition(&self) -> ImdEdition {
        self.edition
    }

    /// The layout the file was read in.
    #[cfg(feature = "csv")]
    #[must_use]
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// How many areas it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether it holds no areas (never true for a loaded file).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The domain names, in file order (e.g. `Income`, `Employment`, …).
    #[must_use]
    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// Every area code, in file order.
    #[must_use]
    pub fn codes(&self) -> &[AreaCode] {
        &self.codes
    }

    /// Find an area by code: O(1), no allocation.
    ///
    /// ```
    /// use equitas_core::deprivation::{AreaCode, DeprivationIndex};
    /// let csv = "lsoa11_code,IMD_decile,IMD_rank\nE01000001,1,10\nE01000002,6,18000\n";
    /// let index = DeprivationIndex::from_csv(csv.as_bytes())?;
    /// let id = index.lookup(AreaCode::parse("E01000002")?).expect("in the index");
    /// let area = index.area(id);
    /// assert_eq!((area.decile().get(), area.quintile().get(), area.rank()), (6, 3, 18000));
    /// assert_eq!(index.lookup(AreaCode::parse("E01999999")?), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn lookup(&self, code: AreaCode) -> Option<AreaId> {
        let row = self.lookup.get(code.key())?;
        (self.codes[row as usize] == code).then_some(AreaId(row))
    }

    /// Find an area by the bytes of its code (as read from a CSV field): O(1), no allocation.
    /// `Ok(None)` when the code is well formed but not in this index.
    ///
    /// # Errors
    /// The bytes are not an area code.
    #[inline]
    pub fn lookup_bytes(&self, code: &[u8]) -> Result<Option<AreaId>, AreaCodeError> {
        Ok(self.lookup(AreaCode::parse_bytes(code)?))
    }

    /// What the index holds about an area.
    #[must_use]
    pub fn area(&self, id: AreaId) -> Area<'_> {
        Area { index: self, id }
    }

    /// The decile of a looked-up area.
    #[inline]
    #[must_use]
    pub fn decile(&self, id: AreaId) -> ImdDecile {
        self.deciles[id.0 as usize]
    }

    /// The decile of domain `domain` (in the order of [`Self::domains`]) of a looked-up area;
    /// `None` when the index has no such domain.
    #[inline]
    #[must_use]
    pub fn domain_decile(&self, id: AreaId, domain: usize) -> Option<ImdDecile> {
        let n = self.domains.len();
        if domain >= n {
            return None;
        }
        let d = *self.domain_deciles.get(id.0 as usize * n + domain)?;
        ImdDecile::new(d).ok()
    }

    /// Whether Core20 can be asked of this index (it is English).
    ///
    /// # Errors
    /// [`DeprivationError::Core20NotEngland`] for an index of another nation.
    pub fn require_core20(&self) -> Result<(), DeprivationError> {
        if self.edition.nation() == Nation::England {
            Ok(())
        } else {
            Err(DeprivationError::Core20NotEngland(self.edition))
        }
    }

    /// Whether an area is in Core20: national decile 1 or 2 of this English edition.
    ///
    /// # Errors
    /// The index is not English, or the area is not in it.
    pub fn core20(&self, code: AreaCode) -> Result<bool, DeprivationError> {
        self.require_core20()?;
        let id = self
            .lookup(code)
            .ok_or_else(|| DeprivationError::UnknownArea {
                code: code.to_string(),
                edition: self.edition,
            })?;
        Ok(self.decile(id).is_core20())
    }

    /// [`Self::core20`] for a code given as text.
    ///
    /// # Errors
    /// As [`Self::core20`], or the text is not an area code.
    pub fn core20_str(&self, code: &str) -> Result<bool, DeprivationError> {
        self.core20(AreaCode::parse(code)?)
    }

    /// How many areas fall in each decile (index 0 = decile 1).
    #[must_use]
    pub fn decile_counts(&self) -> [usize; 10] {
        let mut counts = [0; 10];
        for d in &self.deciles {
            counts[usize::from(d.get() - 1)] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_and_quintiles() {
        let q: Vec<u8> = (1..=10)
            .map(|d| ImdDecile::new(d).unwrap().quintile().get())
            .collect();
        assert_eq!(q, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(
            ImdDecile::new(0).unwrap_err().to_string(),
            "IMD decile must be a whole number from 1 to 10, got 0"
        );
        assert_eq!(ImdDecile::from_f64(3.0).unwrap().get(), 3);
        for bad in [2.7, 257.0, -1.0, 0.0, f64::NAN, f64::INFINITY] {
            let e = ImdDecile::from_f64(bad).unwrap_err().to_string();
            assert!(e.ends_with(&format!("got {bad}")), "{e}");
        }
        assert!(ImdQuintile::new(6).is_err());
    }
}
