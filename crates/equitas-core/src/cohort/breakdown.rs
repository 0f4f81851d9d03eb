//! Breakdowns: every count and every ambition metric by one dimension, or by the intersection of
//! two.
//!
//! A [`Dimension`] splits everyone into cells: IMD decile, IMD quintile, Core20 (yes / no), the
//! decile of an IMD domain the deprivation file has (income, the children's index, …), the NHS
//! broad ethnic groups or the detailed ethnic categories, age band, sex, or membership of one
//! PLUS group. A value that is not known (no area, ethnicity not stated, no age) is a cell of its
//! own, so every person is in exactly one cell of every dimension and nothing is dropped. A
//! [`Breakdown`] is one dimension, or two crossed (`ethnicity:imd-quintile`).
//!
//! The counts keep, for each cell, the people in it, those in Core20 and those whose deprivation
//! is known (for the Core20 share), the people in each clinical area, the smoking thread and each
//! PLUS group, and each metric's denominator and numerator. A person adds to one cell of each
//! breakdown: the dimension codes are small integers worked out once per person, and the cell's
//! counts sit side by side in one flat array, so counting allocates nothing. The report adds the
//! margins (a two-way table's row and column totals and its grand total), which are sums of its
//! cells, and a Wilson 95% interval for every rate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Classifier, Membership, RateEstimate};

/// The most breakdowns one count keeps: 32. Each costs a few increments per person; the limit
/// stops a slip from asking for hundreds. Raise it here and rebuild if more are needed.
pub const MAX_BREAKDOWNS: usize = 32;

/// The most distinct IMD domains the breakdowns of one count may use: 4. Each is a decile looked
/// up per person; raise it here and rebuild if more are needed.
pub const MAX_DOMAIN_DIMENSIONS: usize = 4;

/// The most cells one dimension may have (a place lookup's values, say): 16,384. England has
/// about 6,300 GP practices and 7,000 electoral wards; a lookup with more values is refused.
pub const MAX_DIMENSION_CELLS: usize = 1 << 14;

/// The most counts all the breakdowns of one count may hold together: 4,194,304 (32 MiB, held
/// once per counting thread). A cell holds 3 counts, one per clinical area, the smoking thread
/// and PLUS group, and two per metric (about 70 with the built-in catalogue), so this is about
/// 60,000 cells: every built-in dimension crossed with any other fits many times over; a place
/// lookup of thousands of values crossed with the detailed ethnic categories may not. Ask for
/// fewer or smaller breakdowns, or raise it here and rebuild.
pub const MAX_BREAKDOWN_ENTRIES: usize = 1 << 22;

/// One way of splitting people into cells. Every dimension has a cell for "unknown" where a
/// value can be missing, so the cells always add up to everyone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dimension {
    /// National IMD decile 1 (most deprived) to 10, then unknown (`imd-decile`).
    ImdDecile,
    /// National IMD quintile 1 to 5, then unknown (`imd-quintile`).
    ImdQuintile,
    /// In Core20 (`yes`), not (`no`), or deprivation unknown (`core20`).
    Core20,
    /// The decile of one domain of the deprivation file, by its name in the file (`Income`,
    /// `Housing_and_Access`), then unknown (`domain=Income`). Needs an index that has it.
    Domain(String),
    /// The NHS broad ethnic groups, the last being not stated / not known (`ethnicity`).
    EthnicGroup,
    /// The detailed NHS ethnic category codes (`A` to `Z`, `99`) (`ethnic-category`).
    EthnicCategory,
    /// The definition's age bands, then unknown (`age-band`).
    AgeBand,
    /// Recorded sex: male, female, indeterminate, unknown (`sex`).
    Sex,
    /// In one PLUS group of the definition (`member`) or not (`not_member`)
    /// (`plus=ID`).
    PlusGroup(String),
    /// The person's Place: each Place (or each value of the place lookup, with no grouping),
    /// then `other` (with a grouping: in no Place), then `unknown` (`place`). Needs a place
    /// lookup ([`Classifier::with_places`]).
    Place,
    /// The place lookup's own value for the person's area (with Coventry and Warwickshire's
    /// Places, the local authority), then `unknown` (`lookup`). Needs a place lookup.
    PlaceLookup,
}

/// The dimension ids without a parameter, for help and errors.
const PLAIN_IDS: [&str; 9] = [
    "imd-decile",
    "imd-quintile",
    "core20",
    "ethnicity",
    "ethnic-category",
    "age-band",
    "sex",
    "place",
    "lookup",
];

impl Dimension {
    /// The dimension's id, as `--by` takes it and outputs name it (`imd-quintile`,
    /// `domain=Income`, `plus=ld_autism`).
    #[must_use]
    pub fn id(&self) -> String {
        match self {
            Self::ImdDecile => "imd-decile".to_owned(),
            Self::ImdQuintile => "imd-quintile".to_owned(),
            Self::Core20 => "core20".to_owned(),
            Self::Domain(d) => format!("domain={d}"),
            Self::EthnicGroup => "ethnicity".to_owned(),
            Self::EthnicCategory => "ethnic-category".to_owned(),
            Self::AgeBand => "age-band".to_owned(),
            Self::Sex => "sex".to_owned(),
            Self::PlusGroup(g) => format!("plus={g}"),
            Self::Place => "place".to_owned(),
            Self::PlaceLookup => "lookup".to_owned(),
        }
    }

    /// Read a dimension id (see [`Self::id`]; spaces around it are ignored).
    ///
    /// # Errors
    /// Text that is no dimension id, naming the ids there are.
    pub fn parse(text: &str) -> Result<Self, BreakdownError> {
        let t = text.trim();
        let unknown = || BreakdownError::UnknownDimension {
            text: t.to_owned(),
            known: known_ids(),
        };
        if let Some((key, value)) = t.split_once('=') {
            let value = value.trim();
            if value.is_empty() {
                return Err(unknown());
            }
            return match key.trim() {
                "domain" => Ok(Self::Domain(value.to_owned())),
                "plus" => Ok(Self::PlusGroup(value.to_owned())),
                _ => Err(unknown()),
            };
        }
        Ok(match t {
            "imd-decile" => Self::ImdDecile,
            "imd-quintile" => Self::ImdQuintile,
            "core20" => Self::Core20,
            "ethnicity" => Self::EthnicGroup,
            "ethnic-category" => Self::EthnicCategory,
            "age-band" => Self::AgeBand,
            "sex" => Self::Sex,
            "place" => Self::Place,
            "lookup" => Self::PlaceLookup,
            _ => return Err(unknown()),
        })
    }
}

/// Every dimension id form, for messages.
fn known_ids() -> String {
    let mut s = PLAIN_IDS.join(", ");
    s.push_str(", domain=NAME (an IMD domain of the file), plus=ID (a PLUS group)");
    s.push_str("; place and lookup need a place lookup");
    s
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

impl FromStr for Dimension {
    type Err = BreakdownError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// One dimension, or the intersection of two: the cells of a one-way or a two-way table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Breakdown {
    first: Dimension,
    second: Option<Dimension>,
}

impl Breakdown {
    /// The one-way table of `d`.
    #[must_use]
    pub fn one(d: Dimension) -> Self {
        Self {
            first: d,
            second: None,
        }
    }

    /// The two-way table of `a` by `b` (rows `a`, columns `b`).
    ///
    /// # Errors
    /// `a` and `b` are the same dimension.
    pub fn two(a: Dimension, b: Dimension) -> Result<Self, BreakdownError> {
        if a == b {
            return Err(BreakdownError::Crossed(format!("{a}:{b}")));
        }
        Ok(Self {
            first: a,
            second: Some(b),
        })
    }

    /// Its dimensions: one or two.
    #[must_use]
    pub fn dimensions(&self) -> Vec<&Dimension> {
        std::iter::once(&self.first)
            .chain(self.second.as_ref())
            .collect()
    }

    /// Its id: the dimension ids joined by `:` (`ethnicity:imd-quintile`).
    #[must_use]
    pub fn id(&self) -> String {
        match &self.second {
            Some(b) => format!("{}:{b}", self.first),
            None => self.first.id(),
        }
    }

    /// Read one breakdown: a dimension id, or two joined by `:`.
    ///
    /// # Errors
    /// An unknown dimension, more than two, or one crossed with itself.
    pub fn parse(text: &str) -> Result<Self, BreakdownError> {
        let parts: Vec<&str> = text.split(':').collect();
        match parts.as_slice() {
            [a] => Ok(Self::one(Dimension::parse(a)?)),
            [a, b] => Self::two(Dimension::parse(a)?, Dimension::parse(b)?),
            _ => Err(BreakdownError::TooManyDimensions(text.trim().to_owned())),
        }
    }

    /// Read a comma-separated list of breakdowns (`ethnicity,imd-quintile,ethnicity:sex`).
    ///
    /// ```
    /// use equitas_core::cohort::{Breakdown, Dimension};
    ///
    /// let list = Breakdown::parse_list("ethnicity, imd-quintile, ethnicity:imd-quintile")?;
    /// assert_eq!(list.len(), 3);
    /// assert_eq!(list[2].id(), "ethnicity:imd-quintile");
    /// assert_eq!(list[1].dimensions(), [&Dimension::ImdQuintile]);
    /// assert!(Breakdown::parse_list("ethnicity:sex:core20").is_err());
    /// # Ok::<(), equitas_core::cohort::BreakdownError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Self::parse`], an empty item, the same breakdown twice, or more than
    /// [`MAX_BREAKDOWNS`].
    pub fn parse_list(text: &str) -> Result<Vec<Self>, BreakdownError> {
        let mut out: Vec<Self> = Vec::new();
        for item in text.split(',') {
            if item.trim().is_empty() {
                return Err(BreakdownError::Empty(text.to_owned()));
            }
            let b = Self::parse(item)?;
            if out.contains(&b) {
                return Err(BreakdownError::Repeated(b.id()));
            }
            if out.len() == MAX_BREAKDOWNS {
                return Err(BreakdownError::TooMany {
                    count: out.len() + 1,
                });
            }
            out.push(b);
        }
        Ok(out)
    }
}

impl fmt::Display for Breakdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

impl FromStr for Breakdown {
    type Err = BreakdownError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A breakdown that cannot be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BreakdownError {
    /// Text that is no dimension id.
    #[error("breakdown dimension {text:?} is not known; use one of {known}")]
    UnknownDimension {
        /// The text.
        text: String,
        /// The dimension ids there are.
        known: String,
    },
    /// More than two dimensions crossed.
    #[error("breakdown {0:?} crosses more than two dimensions; at most two can be crossed (a:b)")]
    TooManyDimensions(String),
    /// A dimension crossed with itself.
    #[error("breakdown {0:?} crosses a dimension with itself")]
    Crossed(String),
    /// An empty item in a list.
    #[error("breakdown list {0:?} has an empty item")]
    Empty(String),
    /// The same breakdown twice.
    #[error("breakdown {0:?} is asked for twice")]
    Repeated(String),
    /// More than [`MAX_BREAKDOWNS`].
    #[error("{count} breakdowns; at most {MAX_BREAKDOWNS} can be counted at once (MAX_BREAKDOWNS)")]
    TooMany {
        /// How many were asked for.
        count: usize,
    },
    /// A domain with no deprivation index to look it up in.
    #[error(
        "breakdown dimension domain={0} needs the deprivation file (--imd): domain deciles come from it"
    )]
    NoIndex(String),
    /// A domain the index does not have.
    #[error(
        "breakdown dimension domain={name}: the IMD file has no domain {name:?}; its domains are {domains}"
    )]
    UnknownDomain {
        /// The name asked for.
        name: String,
        /// The domains the index has.
        domains: String,
    },
    /// More distinct domains than [`MAX_DOMAIN_DIMENSIONS`].
    #[error(
        "the breakdowns use {count} IMD domains; at most {MAX_DOMAIN_DIMENSIONS} can be used at once (MAX_DOMAIN_DIMENSIONS)"
    )]
    TooManyDomains {
        /// How many.
        count: usize,
    },
    /// A PLUS group the definition does not have.
    #[error(
        "breakdown dimension plus={id}: the cohort definition has no PLUS group {id:?}; its groups are {groups}"
    )]
    UnknownPlusGroup {
        /// The id asked for.
        id: String,
        /// The definition's groups.
        groups: String,
    },
    /// A Place dimension with no place lookup.
    #[error("breakdown dimension {0} needs a place lookup (--place-lookup)")]
    NoPlaces(String),
    /// Breakdowns too large to count together.
    #[error(
        "the breakdowns need {entries} counts, more than the {MAX_BREAKDOWN_ENTRIES} one count may hold (MAX_BREAKDOWN_ENTRIES); ask for fewer or smaller breakdowns"
    )]
    TooLarge {
        /// How many counts they would need.
        entries: usize,
    },
}

/// One dimension of a breakdown as the counts and the report describe it: its id, a plain
/// name, the labels of its cells in order, which of them mean "unknown", and whether the known
/// cells are ordered (deciles, quintiles, age bands: worst-off or youngest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionCells {
    /// The dimension id (`imd-quintile`).
    pub id: String,
    /// A plain name (`IMD quintile`).
    pub label: String,
    /// Cell labels, in order.
    #[serde(deserialize_with = "cell_list")]
    pub cells: Vec<String>,
    /// The indices of the cells that mean "not known".
    #[serde(deserialize_with = "cell_list")]
    pub unknown: Vec<usize>,
    /// Whether the known cells have a natural order (the order of `cells`).
    pub ordered: bool,
    /// For a dimension that groups a finer one, what each cell is made of, in the finer
    /// one's labels: deciles for quintiles and Core20 (`["1", "2"]`), the NHS ethnic category
    /// codes for broad ethnic groups, the place lookup's values for Places. Empty for a
    /// dimension whose cells are their own. Disclosure control uses it: a quintile is the sum
    /// of its deciles, whichever table each is published in.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "cell_list"
    )]
    pub parts: Vec<Vec<String>>,
}

impl DimensionCells {
    /// Cells that are their own (no `parts`).
    fn plain(
        id: String,
        label: String,
        cells: Vec<String>,
        unknown: Vec<usize>,
        ordered: bool,
    ) -> Self {
        Self {
            id,
            label,
            cells,
            unknown,
            ordered,
            parts: Vec::new(),
        }
    }

    /// The family of dimensions this one belongs to: dimensions of one family split the same
    /// people ever more finely (`deprivation`: decile, quintile, Core20; `ethnicity`: broad
    /// groups and categories; `place`: Places and the lookup's values); any other dimension is
    /// a family of its own (its id).
    #[must_use]
    pub fn family(&self) -> &str {
        match self.id.as_str() {
            "imd-decile" | "imd-quintile" | "core20" => "deprivation",
            "ethnicity" | "ethnic-category" => "ethnicity",
            "place" | "lookup" => "place",
            other => other,
        }
    }

    /// What cell `i` is made of, in the family's finest labels.
    #[must_use]
    pub fn parts_of(&self, i: usize) -> Vec<String> {
        match self.parts.get(i) {
            Some(p) => p.clone(),
            None => self.cells.get(i).cloned().into_iter().collect(),
        }
    }
}

/// What the counts know about one breakdown, compared when counts merge and saved with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BreakdownLabels {
    /// The breakdown id (`ethnicity:imd-quintile`).
    pub id: String,
    /// Its one or two dimensions.
    #[serde(deserialize_with = "dimension_list")]
    pub dimensions: Vec<DimensionCells>,
}

/// A list of at most [`MAX_DIMENSION_CELLS`] items, refused as soon as it has more.
fn cell_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    super::counts::at_most(
        d,
        MAX_DIMENSION_CELLS,
        "cells in one dimension",
        "MAX_DIMENSION_CELLS",
    )
}

/// At most two dimensions.
fn dimension_list<'de, D>(d: D) -> Result<Vec<DimensionCells>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    super::counts::at_most(
        d,
        2,
        "dimensions in one breakdown",
        "two: a breakdown crosses at most two",
    )
}

/// How a person's cell of one dimension is worked out from their membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Decile,
    Quintile,
    Core20,
    /// The slot in [`Membership::domain_deciles`].
    Domain(usize),
    EthnicGroup,
    EthnicCategory,
    AgeBand,
    Sex,
    /// The PLUS group's bit.
    Plus(usize),
    Place,
    Lookup,
}

impl Kind {
    /// The person's cell among `n`. Every value a classifier gives is in range; anything else
    /// (a membership built by hand) goes to the last cell, which is "unknown" wherever a dimension
    /// has one.
    #[inline]
    fn code(self, m: &Membership, n: usize) -> usize {
        let c = match self {
            Self::Decile => m.imd_decile.map_or(10, |d| usize::from(d.get()) - 1),
            Self::Quintile => m.imd_quintile.map_or(5, |q| usize::from(q.get()) - 1),
            Self::Core20 => match m.core20 {
                Some(true) => 0,
                Some(false) => 1,
                None => 2,
            },
            Self::Domain(slot) => match m.domain_deciles.get(slot).copied().unwrap_or(0) {
                d @ 1..=10 => usize::from(d) - 1,
                _ => 10,
            },
            Self::EthnicGroup => usize::from(m.ethnic_group),
            Self::EthnicCategory => usize::from(m.ethnic_category),
            Self::AgeBand => m.age_band.map_or(usize::MAX, usize::from),
            Self::Sex => m.sex.index(),
            Self::Plus(bit) => usize::from(!m.plus_groups.contains(bit)),
            Self::Place => usize::from(m.place),
            Self::Lookup => usize::from(m.place_value),
        };
        c.min(n - 1)
    }
}

/// A breakdown compiled against a classifier: its labels and how to find each person's cell.
#[derive(Debug, Clone)]
pub(super) struct Compiled {
    pub labels: BreakdownLabels,
}

fn decile_cells() -> Vec<String> {
    let mut cells: Vec<String> = (1..=10).map(|d| d.to_string()).collect();
    cells.push("unknown".to_owned());
    cells
}

impl Classifier<'_> {
    /// Count `breakdowns` too: every count made with this classifier ([`super::CohortCounts`])
    /// then keeps each breakdown's cells, and the report shows them.
    ///
    /// ```
    /// use equitas_core::cohort::{Breakdown, Classifier, CohortCounts, CohortDefinition, PersonRecord, report};
    ///
    /// let classifier = Classifier::new(CohortDefinition::national(), None)?
    ///     .with_breakdowns(&Breakdown::parse_list("sex:imd-quintile")?)?;
    /// let mut counts = CohortCounts::new(&classifier);
    /// for (id, sex, decile) in [("a", "female", 1), ("b", "male", 2), ("c", "female", 9)] {
    ///     let p = PersonRecord::from_json(&format!(
    ///         r#"{{"id": "{id}", "age": 40, "sex": "{sex}", "imd_decile": {decile}}}"#
    ///     ))?;
    ///     counts.count(&classifier, &classifier.compact(&p)?);
    /// }
    /// let table = &report(&counts, &classifier).breakdowns[0];
    /// assert_eq!(table.cell(&["female", "1"]).map(|c| c.people), Some(1));
    /// assert_eq!(table.cell(&["female", "all"]).map(|c| c.people), Some(2));
    /// assert_eq!(table.cell(&["all", "1"]).map(|c| c.people), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A domain the index does not have (or no index), a PLUS group the definition does not
    /// have, more than [`MAX_BREAKDOWNS`] breakdowns or [`MAX_DOMAIN_DIMENSIONS`] domains, or
    /// tables larger than [`MAX_BREAKDOWN_ENTRIES`] together.
    pub fn with_breakdowns(mut self, breakdowns: &[Breakdown]) -> Result<Self, BreakdownError> {
        if breakdowns.len() > MAX_BREAKDOWNS {
            return Err(BreakdownError::TooMany {
                count: breakdowns.len(),
            });
        }
        let mut domains: Vec<usize> = Vec::new();
        let mut compiled = Vec::with_capacity(breakdowns.len());
        for (i, b) in breakdowns.iter().enumerate() {
            if breakdowns[..i].contains(b) {
                return Err(BreakdownError::Repeated(b.id()));
            }
            let dimensions = b
                .dimensions()
                .into_iter()
                .map(|d| self.dimension_cells(d, &mut domains))
                .collect::<Result<Vec<_>, _>>()?;
            let id = dimensions
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>()
                .join(":");
            compiled.push(Compiled {
                labels: BreakdownLabels { id, dimensions },
            });
        }
        if domains.len() > MAX_DOMAIN_DIMENSIONS {
            return Err(BreakdownError::TooManyDomains {
                count: domains.len(),
            });
        }
        let stride = self.breakdown_stride();
        let entries = compiled.iter().try_fold(0usize, |sum, c| {
            c.labels
                .dimensions
                .iter()
                .try_fold(stride, |n, d| n.checked_mul(d.cells.len()))
                .and_then(|n| sum.checked_add(n))
        });
        match entries {
            Some(n) if n <= MAX_BREAKDOWN_ENTRIES => {}
            other => {
                return Err(BreakdownError::TooLarge {
                    entries: other.unwrap_or(usize::MAX),
                });
            }
        }
        self.breakdowns = compiled;
        self.domain_columns = domains;
        Ok(self)
    }

    /// The counts kept per cell of a breakdown: people, Core20, deprivation known, each
    /// clinical area, the smoking thread, each PLUS group, and each metric's two.
    fn breakdown_stride(&self) -> usize {
        3 + self.area_ids.len() + 1 + self.definition.plus_groups.len() + 2 * self.metrics.len()
    }

    /// The breakdowns this classifier counts.
    #[must_use]
    pub fn breakdowns(&self) -> Vec<Breakdown> {
        self.breakdowns
            .iter()
            .filter_map(|c| Breakdown::parse(&c.labels.id).ok())
            .collect()
    }

    /// The IMD domain names the breakdowns use, in the order of
    /// [`Membership::domain_deciles`].
    #[must_use]
    pub fn breakdown_domains(&self) -> Vec<&str> {
        let names = self.index.map_or(&[][..], |ix| ix.domains());
        self.domain_columns
            .iter()
            .filter_map(|&c| names.get(c).map(String::as_str))
            .collect()
    }

    pub(super) fn breakdown_labels(&self) -> Vec<BreakdownLabels> {
        self.breakdowns.iter().map(|c| c.labels.clone()).collect()
    }

    /// The cells of dimension `d`; a domain is given the next slot in `domains` (the index
    /// column of each slot) unless it has one.
    fn dimension_cells(
        &self,
        d: &Dimension,
        domains: &mut Vec<usize>,
    ) -> Result<DimensionCells, BreakdownError> {
        let plain = |label: &str, cells: Vec<String>, unknown: Vec<usize>, ordered: bool| {
            DimensionCells::plain(d.id(), label.to_owned(), cells, unknown, ordered)
        };
        Ok(match d {
            Dimension::ImdDecile => plain("IMD decile", decile_cells(), vec![10], true),
            Dimension::ImdQuintile => quintile_cells(d),
            Dimension::Core20 => core20_cells(d),
            Dimension::Domain(name) => self.domain_cells(name, domains)?,
            Dimension::EthnicGroup => self.ethnic_group_cells(d),
            Dimension::EthnicCategory => self.ethnic_category_cells(d),
            Dimension::AgeBand => {
                let n = self.definition.age_bands.len();
                let cells = (0..=n).map(|i| self.definition.age_band_label(i)).collect();
                plain("Age band", cells, vec![n], true)
            }
            Dimension::Sex => {
                let cells = super::Sex::ALL.iter().map(|s| s.id().to_owned()).collect();
                plain("Sex", cells, vec![3], false)
            }
            Dimension::PlusGroup(id) => {
                let label = self.plus_group(id)?.label.clone();
                let cells = vec!["member".into(), "not_member".into()];
                DimensionCells::plain(d.id(), label, cells, Vec::new(), false)
            }
            Dimension::Place => self.place_dimension_cells(d)?,
            Dimension::PlaceLookup => self.place_lookup_cells(d)?,
        })
    }

    /// The deciles of the IMD domain `name` (found without case or punctuation), its index
    /// column given the next slot in `domains` unless it has one. The id names the domain as
    /// the file spells it.
    fn domain_cells(
        &self,
        name: &str,
        domains: &mut Vec<usize>,
    ) -> Result<DimensionCells, BreakdownError> {
        let ix = self
            .index
            .ok_or_else(|| BreakdownError::NoIndex(name.to_owned()))?;
        let wanted = normalise(name);
        let column = ix
            .domains()
            .iter()
            .position(|n| normalise(n) == wanted)
            .ok_or_else(|| BreakdownError::UnknownDomain {
                name: name.to_owned(),
                domains: if ix.domains().is_empty() {
                    "none".to_owned()
                } else {
                    ix.domains().join(", ")
                },
            })?;
        if !domains.contains(&column) {
            domains.push(column);
        }
        let name = &ix.domains()[column];
        Ok(DimensionCells::plain(
            format!("domain={name}"),
            format!("{name} domain decile"),
            decile_cells(),
            vec![10],
            true,
        ))
    }

    /// The NHS broad ethnic groups, each made of its detailed categories; the last group (not
    /// stated) is the unknown cell.
    fn ethnic_group_cells(&self, d: &Dimension) -> DimensionCells {
        let ethnicity = &self.catalogue.ethnicity;
        let cells: Vec<String> = ethnicity
            .broad_groups
            .iter()
            .map(|b| b.id.clone())
            .collect();
        let parts = cells
            .iter()
            .map(|g| {
                ethnicity
                    .categories
                    .iter()
                    .filter(|c| &c.broad_group == g)
                    .map(|c| c.code.clone())
                    .collect()
            })
            .collect();
        let last = cells.len().saturating_sub(1);
        DimensionCells {
            parts,
            ..DimensionCells::plain(d.id(), "Ethnic group".into(), cells, vec![last], false)
        }
    }

    /// The detailed NHS ethnic categories; those of the last broad group (not stated) are the
    /// unknown cells.
    fn ethnic_category_cells(&self, d: &Dimension) -> DimensionCells {
        let ethnicity = &self.catalogue.ethnicity;
        let not_stated = ethnicity.broad_groups.last().map(|b| b.id.as_str());
        let unknown = ethnicity
            .categories
            .iter()
            .enumerate()
            .filter(|(_, c)| Some(c.broad_group.as_str()) == not_stated)
            .map(|(i, _)| i)
            .collect();
        DimensionCells::plain(
            d.id(),
            "Ethnic category".into(),
            self.ethnic_codes.clone(),
            unknown,
            false,
        )
    }

    /// The definition's PLUS group `id`, or an error listing the groups it has.
    fn plus_group(&self, id: &str) -> Result<&super::PlusGroup, BreakdownError> {
        let groups = &self.definition.plus_groups;
        groups
            .iter()
            .find(|g| g.id == id)
            .ok_or_else(|| BreakdownError::UnknownPlusGroup {
                id: id.to_owned(),
                groups: groups
                    .iter()
                    .map(|g| g.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The Places (or the place lookup's values, with no grouping), each made of its lookup
    /// values; the last cell is unknown.
    fn place_dimension_cells(&self, d: &Dimension) -> Result<DimensionCells, BreakdownError> {
        let p = self
            .place_tables()
            .ok_or_else(|| BreakdownError::NoPlaces(d.id()))?;
        let n = p.cells.len();
        let values = p.lookup.values();
        let parts = (0..n)
            .map(|c| {
                if c == n - 1 {
                    return vec!["unknown".to_owned()];
                }
                (0..values.len())
                    .filter(|&v| usize::from(p.cell_of_value[v]) == c)
                    .map(|v| values[v].clone())
                    .collect()
            })
            .collect();
        Ok(DimensionCells {
            parts,
            ..DimensionCells::plain(d.id(), "Place".into(), p.cells.clone(), vec![n - 1], false)
        })
    }

    /// The place lookup's own values, then unknown, labelled with the lookup's value column.
    fn place_lookup_cells(&self, d: &Dimension) -> Result<DimensionCells, BreakdownError> {
        let p = self
            .place_tables()
            .ok_or_else(|| BreakdownError::NoPlaces(d.id()))?;
        let mut cells = p.lookup.values().to_vec();
        cells.push("unknown".to_owned());
        let n = cells.len();
        Ok(DimensionCells::plain(
            d.id(),
            p.lookup.value_column().to_owned(),
            cells,
            vec![n - 1],
            false,
        ))
    }
}

/// Deciles `r` as labels.
fn decile_labels(r: std::ops::RangeInclusive<u8>) -> Vec<String> {
    r.map(|d| d.to_string()).collect()
}

/// National IMD quintiles 1 to 5, then unknown, each made of its two deciles.
fn quintile_cells(d: &Dimension) -> DimensionCells {
    let mut cells: Vec<String> = (1..=5).map(|q| q.to_string()).collect();
    cells.push("unknown".to_owned());
    let mut parts: Vec<Vec<String>> = (1..=5u8)
        .map(|q| decile_labels(2 * q - 1..=2 * q))
        .collect();
    parts.push(vec!["unknown".to_owned()]);
    DimensionCells {
        parts,
        ..DimensionCells::plain(d.id(), "IMD quintile".into(), cells, vec![5], true)
    }
}

/// Core20 `yes` (deciles 1 and 2), `no` (3 to 10), then unknown.
fn core20_cells(d: &Dimension) -> DimensionCells {
    let cells = vec!["yes".into(), "no".into(), "unknown".into()];
    DimensionCells {
        parts: vec![
            decile_labels(1..=2),
            decile_labels(3..=10),
            vec!["unknown".to_owned()],
        ],
        ..DimensionCells::plain(d.id(), "Core20".into(), cells, vec![2], false)
    }
}

/// A domain name compared without case and punctuation (`housing-and-access` finds
/// `Housing_and_Access`).
fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// How each dimension of each breakdown is found, from the labels alone (so counts read from a
/// file know it too): a domain's slot is the order in which distinct domains first appear, a
/// PLUS group's bit its place among the PLUS labels (after `all`).
pub(super) fn kinds(
    breakdowns: &[BreakdownLabels],
    plus: &[String],
) -> Result<Vec<Vec<(Kind, usize)>>, String> {
    let mut domains: Vec<&str> = Vec::new();
    breakdowns
        .iter()
        .map(|b| {
            if b.dimensions.is_empty() || b.dimensions.len() > 2 {
                return Err(format!(
                    "breakdown {} has {} dimensions",
                    b.id,
                    b.dimensions.len()
                ));
            }
            b.dimensions
                .iter()
                .map(|d| {
                    let kind = match Dimension::parse(&d.id).map_err(|e| e.to_string())? {
                        Dimension::ImdDecile => Kind::Decile,
                        Dimension::ImdQuintile => Kind::Quintile,
                        Dimension::Core20 => Kind::Core20,
                        Dimension::Domain(_) => {
                            let slot = domains.iter().position(|x| *x == d.id).unwrap_or_else(|| {
                                domains.push(&d.id);
                                domains.len() - 1
                            });
                            if slot >= MAX_DOMAIN_DIMENSIONS {
                                return Err(format!(
                                    "more than {MAX_DOMAIN_DIMENSIONS} domains (MAX_DOMAIN_DIMENSIONS)"
                                ));
                            }
                            Kind::Domain(slot)
                        }
                        Dimension::EthnicGroup => Kind::EthnicGroup,
                        Dimension::EthnicCategory => Kind::EthnicCategory,
                        Dimension::AgeBand => Kind::AgeBand,
                        Dimension::Sex => Kind::Sex,
                        Dimension::Place => Kind::Place,
                        Dimension::PlaceLookup => Kind::Lookup,
                        Dimension::PlusGroup(g) => {
                            let bit = plus
                                .iter()
                                .skip(1)
                                .position(|p| *p == g)
                                .ok_or_else(|| format!("breakdown {} names PLUS group {g:?}, which the labels do not have", b.id))?;
                            Kind::Plus(bit)
                        }
                    };
                    if d.cells.is_empty() || d.cells.len() > MAX_DIMENSION_CELLS {
                        return Err(format!(
                            "dimension {} of breakdown {} has {} cells; from 1 to {MAX_DIMENSION_CELLS} are allowed (MAX_DIMENSION_CELLS)",
                            d.id,
                            b.id,
                            d.cells.len()
                        ));
                    }
                    Ok((kind, d.cells.len()))
                })
                .collect()
        })
        .collect()
}

/// The counts of one breakdown: `cells × stride` counts, cell-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Table {
    /// Each dimension's kind and cell count (one or two).
    dims: Vec<(Kind, usize)>,
    /// The counts.
    pub data: Vec<u64>,
}

/// Offsets within a cell's counts.
pub(super) const PEOPLE: usize = 0;
pub(super) const CORE20: usize = 1;
pub(super) const KNOWN: usize = 2;
/// The first cohort count (clinical areas, then the smoking thread, then PLUS groups).
pub(super) const COHORTS: usize = 3;

/// Where things are among a breakdown cell's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct CellLayout {
    /// The first PLUS group count.
    pub plus_at: usize,
    /// The first metric count (each metric has its denominator, then its numerator).
    pub metrics_at: usize,
    /// Counts per cell.
    pub stride: usize,
}

/// One person's contribution, worked out once and added to every breakdown.
#[derive(Debug, Clone, Copy)]
pub(super) struct Contribution {
    pub core20: u64,
    pub known: u64,
    /// Clinical areas, then the smoking thread at bit `n_areas`.
    pub areas: u64,
    /// PLUS groups.
    pub plus: u64,
    pub den: u64,
    pub num: u64,
}

impl Table {
    /// An empty table for dimensions `dims`, `stride` counts a cell.
    pub fn new(dims: Vec<(Kind, usize)>, stride: usize) -> Self {
        let cells: usize = dims.iter().map(|(_, n)| n).product();
        Self {
            dims,
            data: vec![0; cells * stride],
        }
    }

    /// Add one person.
    #[inline]
    pub fn add(&mut self, m: &Membership, c: &Contribution, layout: CellLayout) {
        let CellLayout {
            plus_at,
            metrics_at,
            stride,
        } = layout;
        let mut cell = 0;
        for &(kind, n) in &self.dims {
            cell = cell * n + kind.code(m, n);
        }
        let t = &mut self.data[cell * stride..(cell + 1) * stride];
        t[PEOPLE] += 1;
        t[CORE20] += c.core20;
        t[KNOWN] += c.known;
        let mut bits = c.areas;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            t[COHORTS + i] += 1;
        }
        let mut bits = c.plus;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            t[plus_at + i] += 1;
        }
        let mut bits = c.den;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            t[metrics_at + 2 * i] += 1;
            t[metrics_at + 2 * i + 1] += (c.num >> i) & 1;
        }
    }
}

/// A metric as a breakdown reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownMetric {
    /// Metric id.
    pub id: String,
    /// Metric label.
    pub label: String,
    /// The target proportion, if there is one.
    pub target: Option<f64>,
    /// For an observed ÷ expected metric, the expected prevalence (its rates are then ratios:
    /// see [`super::AmbitionRow::expected_prevalence`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_prevalence: Option<f64>,
}

/// A metric's rate in one cell, and whether it reaches the target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CellMetric {
    /// The rate with its Wilson 95% interval.
    pub estimate: RateEstimate,
    /// Whether the rate reaches the metric's target (`None`: no target, or no one in the
    /// denominator).
    pub meets_target: Option<bool>,
}

/// One cell of a breakdown, or one of its margins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownCell {
    /// The cell's label in each dimension; `all` where the cell is a margin over a dimension.
    pub key: Vec<String>,
    /// Whether this is a margin (a total over one or both dimensions).
    pub margin: bool,
    /// People in the cell.
    pub people: u64,
    /// People in Core20 of those whose deprivation is known, with its Wilson 95% interval.
    pub core20: RateEstimate,
    /// People in each clinical area and the smoking thread (in the order of
    /// [`BreakdownReport::areas`]).
    pub areas: Vec<u64>,
    /// People in each PLUS group (in the order of [`BreakdownReport::plus_groups`]).
    pub plus_groups: Vec<u64>,
    /// Each metric (in the order of [`BreakdownReport::metrics`]).
    pub metrics: Vec<CellMetric>,
}

/// One breakdown: every cell, then the margins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownReport {
    /// The breakdown id (`ethnicity:imd-quintile`).
    pub id: String,
    /// Its dimensions and their cells.
    pub dimensions: Vec<DimensionCells>,
    /// The clinical areas and the smoking thread, in the order of each cell's `areas`.
    pub areas: Vec<String>,
    /// The PLUS groups, in the order of each cell's `plus_groups`.
    pub plus_groups: Vec<String>,
    /// The metrics, in the order of each cell's `metrics`.
    pub metrics: Vec<BreakdownMetric>,
    /// Every cell in order (the last dimension fastest), then each row's margin, each column's
    /// margin and the total (two dimensions), or the total (one).
    pub cells: Vec<BreakdownCell>,
}

impl BreakdownReport {
    /// The cell (or margin) with these labels, one per dimension (`all` for a margin).
    #[must_use]
    pub fn cell(&self, key: &[&str]) -> Option<&BreakdownCell> {
        self.cells
            .iter()
            .find(|c| c.key.len() == key.len() && c.key.iter().zip(key).all(|(a, b)| a == b))
    }
}

/// What a report needs to describe one cell's counts.
pub(super) struct Shape<'a> {
    pub n_areas: usize,
    pub n_plus: usize,
    /// Each metric's target and expected prevalence.
    pub targets: &'a [(Option<f64>, Option<f64>)],
}

/// A cell's counts (summed already, for a margin) as a report cell.
pub(super) fn report_cell(
    key: Vec<String>,
    margin: bool,
    t: &[u64],
    s: &Shape<'_>,
) -> BreakdownCell {
    let plus_at = COHORTS + s.n_areas;
    let metrics_at = plus_at + s.n_plus;
    BreakdownCell {
        key,
        margin,
        people: t[PEOPLE],
        core20: RateEstimate::new(t[CORE20], t[KNOWN]),
        areas: t[COHORTS..plus_at].to_vec(),
        plus_groups: t[plus_at..metrics_at].to_vec(),
        metrics: s
            .targets
            .iter()
            .enumerate()
            .map(|(i, (target, expected))| {
                let estimate = RateEstimate::for_metric(
                    t[metrics_at + 2 * i + 1],
                    t[metrics_at + 2 * i],
                    *expected,
                );
                CellMetric {
                    estimate,
                    meets_target: estimate.rate.zip(*target).map(|(r, t)| r >= t),
                }
            })
            .collect(),
    }
}

/// The cells and margins of `table` as report cells.
pub(super) fn report_cells(
    labels: &BreakdownLabels,
    table: &Table,
    stride: usize,
    shape: &Shape<'_>,
) -> Vec<BreakdownCell> {
    let cell = |i: usize| &table.data[i * stride..(i + 1) * stride];
    let sum = |cells: &mut dyn Iterator<Item = usize>| {
        let mut acc = vec![0u64; stride];
        for i in cells {
            for (a, b) in acc.iter_mut().zip(cell(i)) {
                *a += b;
            }
        }
        acc
    };
    let all = || "all".to_owned();
    let mut out = Vec::new();
    match labels.dimensions.as_slice() {
        [a] => {
            for (i, l) in a.cells.iter().enumerate() {
                out.push(report_cell(vec![l.clone()], false, cell(i), shape));
            }
            let total = sum(&mut (0..a.cells.len()));
            out.push(report_cell(vec![all()], true, &total, shape));
        }
        [a, b] => {
            let (na, nb) = (a.cells.len(), b.cells.len());
            for (i, la) in a.cells.iter().enumerate() {
                for (j, lb) in b.cells.iter().enumerate() {
                    out.push(report_cell(
                        vec![la.clone(), lb.clone()],
                        false,
                        cell(i * nb + j),
                        shape,
                    ));
                }
            }
            for (i, la) in a.cells.iter().enumerate() {
                let row = sum(&mut (0..nb).map(|j| i * nb + j));
                out.push(report_cell(vec![la.clone(), all()], true, &row, shape));
            }
            for (j, lb) in b.cells.iter().enumerate() {
                let col = sum(&mut (0..na).map(|i| i * nb + j));
                out.push(report_cell(vec![all(), lb.clone()], true, &col, shape));
            }
            let total = sum(&mut (0..na * nb));
            out.push(report_cell(vec![all(), all()], true, &total, shape));
        }
        _ => {}
    }
    out
}

// Its random definitions, records and breakdowns feed disclosure control's tests too.
#[cfg(test)]
pub(super) mod tests;
