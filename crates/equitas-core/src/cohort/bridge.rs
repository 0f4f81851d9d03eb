//! LSOA 2011 ↔ 2021: records coded to one vintage, deprivation published on the other, joined by
//! the ONS best-fit lookup and its change codes, never by a guess.

use super::Classifier;
#[cfg(feature = "csv")]
use crate::deprivation::ImdEdition;
use crate::deprivation::{AreaCode, AreaId, ImdDecile};
#[cfg(feature = "csv")]
use crate::geography::{Bridge, BridgeError, Change};

/// What the bridge did with a person's area: one rule per person, counted so the report says how
/// many people each touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BridgeRule {
    /// No area code in the record (nothing to bridge).
    NoArea,
    /// The code is not in the lookup (a code of neither vintage, or of the index's own
    /// vintage that changed): deprivation unknown.
    NotInLookup,
    /// `U`: the area is unchanged; its decile carries over exactly.
    Unchanged,
    /// `S`, one area on the index's side (a 2021 area split from one 2011 area): its decile
    /// carries over exactly.
    Split,
    /// `S`, several areas on the index's side (a 2011 area split into several 2021 areas) that
    /// all have the same decile: that decile.
    SplitSameDecile,
    /// `S`, several areas on the index's side with different deciles: deprivation unknown.
    SplitDecilesDiffer,
    /// `M`, one area on the index's side (a 2011 area merged into one 2021 area): its decile
    /// carries over exactly.
    Merged,
    /// `M`, several areas on the index's side (a 2021 area merged from several 2011 areas) that
    /// all have the same decile: that decile.
    MergedSameDecile,
    /// `M`, several areas on the index's side with different deciles: deprivation unknown.
    MergedDecilesDiffer,
    /// `X`: an irregular or fragmented change with no single parent: deprivation unknown.
    Irregular,
    /// The lookup's area on the index's side is not in the index (a Welsh LSOA in an English
    /// index, say): deprivation unknown.
    NotInIndex,
}

impl BridgeRule {
    /// Every rule, in reporting order.
    pub const ALL: [Self; 11] = [
        Self::NoArea,
        Self::NotInLookup,
        Self::Unchanged,
        Self::Split,
        Self::SplitSameDecile,
        Self::SplitDecilesDiffer,
        Self::Merged,
        Self::MergedSameDecile,
        Self::MergedDecilesDiffer,
        Self::Irregular,
        Self::NotInIndex,
    ];

    /// The id used in outputs.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::NoArea => "no_area",
            Self::NotInLookup => "not_in_lookup",
            Self::Unchanged => "unchanged",
            Self::Split => "split",
            Self::SplitSameDecile => "split_same_decile",
            Self::SplitDecilesDiffer => "split_deciles_differ",
            Self::Merged => "merged",
            Self::MergedSameDecile => "merged_same_decile",
            Self::MergedDecilesDiffer => "merged_deciles_differ",
            Self::Irregular => "irregular",
            Self::NotInIndex => "not_in_index",
        }
    }

    /// What the rule means, in a few words.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::NoArea => "no area code",
            Self::NotInLookup => "area not in the LSOA 2011-2021 lookup: deprivation unknown",
            Self::Unchanged => "unchanged (U): decile carried over",
            Self::Split => "split (S), one parent area: decile carried over",
            Self::SplitSameDecile => "split (S) into areas of one decile: that decile",
            Self::SplitDecilesDiffer => {
                "split (S) into areas of different deciles: deprivation unknown"
            }
            Self::Merged => "merged (M) into one area: decile carried over",
            Self::MergedSameDecile => "merged (M) from areas of one decile: that decile",
            Self::MergedDecilesDiffer => {
                "merged (M) from areas of different deciles: deprivation unknown"
            }
            Self::Irregular => "irregular change (X), no single parent: deprivation unknown",
            Self::NotInIndex => "the lookup's area is not in the IMD file: deprivation unknown",
        }
    }

    /// Whether people under this rule get a decile.
    #[must_use]
    pub fn decile_known(self) -> bool {
        matches!(
            self,
            Self::Unchanged
                | Self::Split
                | Self::SplitSameDecile
                | Self::Merged
                | Self::MergedSameDecile
        )
    }

    /// The rule with index `i` in [`Self::ALL`] (`NoArea` past the end).
    #[must_use]
    pub fn from_index(i: u8) -> Self {
        Self::ALL
            .get(usize::from(i))
            .copied()
            .unwrap_or(Self::NoArea)
    }

    pub(super) fn index(self) -> u8 {
        Self::ALL
            .iter()
            .position(|r| *r == self)
            .and_then(|i| u8::try_from(i).ok())
            .unwrap_or(0)
    }
}

/// The bridge compiled against the index: for each area of the records' vintage, what it
/// resolves to.
#[derive(Debug, Clone)]
pub(super) struct Tables {
    codes: Vec<AreaCode>,
    entries: Vec<(Option<ImdDecile>, Option<AreaId>, u8)>,
    hash: crate::deprivation::phf::PerfectHash,
    /// The records' vintage (`2011` or `2021`).
    pub from: &'static str,
}

impl Tables {
    /// What `code` resolves to: (decile, index row, rule index); `None` when it is not in the
    /// lookup.
    #[inline]
    pub fn get(&self, code: AreaCode) -> Option<(Option<ImdDecile>, Option<AreaId>, u8)> {
        let row = self.hash.get(code.key())? as usize;
        (self.codes.get(row) == Some(&code)).then(|| self.entries[row])
    }
}

#[cfg(feature = "csv")]
impl Classifier<'_> {
    /// Read areas of the other LSOA vintage through `bridge`, the ONS best-fit lookup: with an
    /// index on 2011 LSOAs (IMD 2019), records' areas are 2021 LSOAs, and with one on 2021 LSOAs
    /// (IMD 2025), 2011 LSOAs. For each record area, the lookup gives the index's area(s):
    ///
    /// - unchanged (`U`), and a 2021 area split (`S`) from one 2011 area, or a 2011 area merged
    ///   (`M`) into one 2021 area: one area, whose decile carries over exactly;
    /// - several areas (a 2021 area merged from several 2011 areas, a 2011 area split into
    ///   several 2021 areas): their decile when they all have the same one, and otherwise
    ///   deprivation unknown: never a guess;
    /// - irregular changes (`X`), areas the index does not have and codes not in the lookup:
    ///   deprivation unknown.
    ///
    /// Each person is counted under their [`BridgeRule`], and the report says how many people
    /// each rule touched. An IMD domain decile is known only for one area on the index's side.
    ///
    /// # Errors
    /// No index, or an index not on English LSOAs of 2011 or 2021.
    pub fn with_bridge(mut self, bridge: &Bridge) -> Result<Self, BridgeError> {
        let ix = self.index.ok_or_else(|| {
            BridgeError::Unusable(
                "the LSOA 2011-2021 lookup needs an IMD file (--imd) to bridge to".to_owned(),
            )
        })?;
        let from_2021 = match ix.edition() {
            ImdEdition::England2019 => true,
            ImdEdition::England2025 => false,
            other => {
                return Err(BridgeError::Unusable(format!(
                    "the LSOA 2011-2021 lookup bridges English LSOAs, but the IMD file is {other}"
                )));
            }
        };
        // Record area -> (the index's areas, the change codes).
        let mut order: Vec<AreaCode> = Vec::new();
        let mut targets: std::collections::HashMap<AreaCode, (Vec<AreaCode>, bool)> =
            std::collections::HashMap::new();
        let mut change_of: std::collections::HashMap<AreaCode, Change> =
            std::collections::HashMap::new();
        for &(a11, a21, change) in bridge.rows() {
            let (key, target) = if from_2021 { (a21, a11) } else { (a11, a21) };
            let slot = targets.entry(key).or_insert_with(|| {
                order.push(key);
                (Vec::new(), false)
            });
            slot.0.push(target);
            slot.1 |= change == Change::Irregular;
            change_of.entry(key).or_insert(change);
        }
        let mut entries = Vec::with_capacity(order.len());
        for key in &order {
            let (areas, irregular) = &targets[key];
            let change = change_of[key];
            let rows: Vec<Option<AreaId>> = areas.iter().map(|a| ix.lookup(*a)).collect();
            let entry = if *irregular {
                (None, None, BridgeRule::Irregular)
            } else if rows.iter().any(Option::is_none) {
                (None, None, BridgeRule::NotInIndex)
            } else {
                let ids: Vec<AreaId> = rows.into_iter().flatten().collect();
                let deciles: Vec<ImdDecile> = ids.iter().map(|id| ix.decile(*id)).collect();
                let same = deciles.windows(2).all(|w| w[0] == w[1]);
                let one = ids.len() == 1;
                let rule = match (change, one, same) {
                    (Change::Unchanged, ..) => BridgeRule::Unchanged,
                    (Change::Split, true, _) => BridgeRule::Split,
                    (Change::Split, false, true) => BridgeRule::SplitSameDecile,
                    (Change::Split, false, false) => BridgeRule::SplitDecilesDiffer,
                    (Change::Merged, true, _) => BridgeRule::Merged,
                    (Change::Merged, false, true) => BridgeRule::MergedSameDecile,
                    (_, _, _) => BridgeRule::MergedDecilesDiffer,
                };
                if rule.decile_known() {
                    (deciles.first().copied(), one.then(|| ids[0]), rule)
                } else {
                    (None, None, rule)
                }
            };
            entries.push((entry.0, entry.1, entry.2.index()));
        }
        let keys: Vec<u64> = order.iter().map(|c| c.key()).collect();
        let hash = crate::deprivation::phf::PerfectHash::build(&keys)
            .map_err(|e| BridgeError::Unusable(e.to_string()))?;
        self.bridge = Some(Tables {
            codes: order,
            entries,
            hash,
            from: if from_2021 { "2021" } else { "2011" },
        });
        Ok(self)
    }
}

impl Classifier<'_> {
    /// The LSOA vintage the records' areas are bridged from (`2011` or `2021`), when bridging.
    #[must_use]
    pub fn bridged_from(&self) -> Option<&'static str> {
        self.bridge.as_ref().map(|b| b.from)
    }
}
