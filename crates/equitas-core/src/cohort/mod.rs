//! The Core20PLUS5 cohort model: people → memberships → mergeable counts → ambition tracking.
//!
//! - [`PersonRecord`] is one person as an analyst or a form describes them.
//! - A [`Classifier`] compiles a [`CohortDefinition`] against the built-in catalogue (and,
//!   optionally, a [`DeprivationIndex`]) once; [`Classifier::classify`] then gives a
//!   [`Membership`]: Core20, IMD decile and quintile, PLUS groups, adult and CYP clinical areas and
//!   the smoking thread as bitsets, with the reason for anything missing.
//! - [`CohortCounts`] aggregates memberships by IMD quintile (Core20 is quintile 1) × broad ethnic
//!   group × sex × age band × clinical area × PLUS group, and merges exactly, so partial counts
//!   from chunks, threads or machines add up to the same answer.
//! - [`ambitions`] turns counts into each metric's rate for Core20, the rest and each quintile,
//!   with Wilson 95% intervals, against its target.

// No function over about 100 lines without a reason (the crate root turns this on for every
// module; it is stated here too, as in assessment/): a longer function says why in an
// `#[allow(clippy::too_many_lines, reason = "...")]`.
#![warn(clippy::too_many_lines)]

mod ambition;
mod breakdown;
mod bridge;
mod compact;
mod counts;
mod definition;
mod disclosure;
mod metrics;
pub mod over_time;
pub mod period;
mod place;
#[cfg(feature = "csv")]
#[allow(
    clippy::disallowed_methods,
    reason = "the streaming record reader runs natively (the CLI); no browser module reaches \
              it: see clippy.toml"
)]
pub mod records;
mod report;

use serde::{Deserialize, Serialize};

pub use ambition::{AmbitionRow, RateEstimate, ambitions};
pub use breakdown::{
    Breakdown, BreakdownCell, BreakdownError, BreakdownMetric, BreakdownReport, CellMetric,
    Dimension, DimensionCells, MAX_BREAKDOWN_ENTRIES, MAX_BREAKDOWNS, MAX_DIMENSION_CELLS,
    MAX_DOMAIN_DIMENSIONS,
};
pub use bridge::BridgeRule;
pub use compact::{CompactRecord, NO_PLACE, ResolvedArea};
pub use counts::{
    COUNTS_FORMAT, COUNTS_VERSION, COUNTS_VERSION_WITHOUT_PERIODS, CohortCounts, CountRow,
    CountsFileError, MAX_COUNT_CELLS, MAX_COUNTS_FILE_BYTES, MAX_LABELS, MergeError,
};
pub use definition::{
    AtLeast, CohortDefinition, ExpectedPrevalence, LocalDefinition, LocalMetric,
    MAX_DEFINITION_BYTES, MAX_LOCAL_METRICS, PlusGroup, Rule, TargetOverride,
};
pub use disclosure::ProtectedReport;
pub use metrics::CountedMetric;
pub use place::PlaceError;
pub use report::{BridgeLine, Bridging, CohortLine, CohortReport, Provenance, report};

use crate::catalogue::{Catalogue, Population};
use crate::deprivation::{
    AreaCode, AreaId, DeprivationIndex, ImdDecile, ImdEdition, ImdQuintile, Nation,
};
use crate::read::FromJson;

/// The oldest age accepted, in whole years.
pub const MAX_AGE: u8 = 120;

/// The most PLUS groups a cohort definition may have: memberships are a 32-bit set.
pub const MAX_PLUS_GROUPS: usize = 32;

/// The most age bands a cohort definition may have (the counts keep one more, for unknown ages).
pub const MAX_AGE_BANDS: usize = 32;

/// Recorded sex. Accepted spellings (any case): `male`, `m`, `1`; `female`, `f`, `2`;
/// `indeterminate`, `9`; `unknown`, `0`, `x` or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Indeterminate (unable to be classified as male or female).
    Indeterminate,
    /// Not known or not recorded.
    #[default]
    Unknown,
}

impl Sex {
    /// All values in reporting order.
    pub const ALL: [Self; 4] = [Self::Male, Self::Female, Self::Indeterminate, Self::Unknown];

    /// The id used in outputs.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
            Self::Indeterminate => "indeterminate",
            Self::Unknown => "unknown",
        }
    }

    /// Parse a recorded value; `None` when it is not one of the accepted spellings.
    #[must_use]
    pub fn parse(b: &[u8]) -> Option<Self> {
        let mut buf = [0u8; 13];
        if b.len() > buf.len() {
            return None;
        }
        for (d, s) in buf.iter_mut().zip(b) {
            *d = s.to_ascii_lowercase();
        }
        match &buf[..b.len()] {
            b"male" | b"m" | b"1" => Some(Self::Male),
            b"female" | b"f" | b"2" => Some(Self::Female),
            b"indeterminate" | b"9" => Some(Self::Indeterminate),
            b"" | b"unknown" | b"0" | b"x" => Some(Self::Unknown),
            _ => None,
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Male => 0,
            Self::Female => 1,
            Self::Indeterminate => 2,
            Self::Unknown => 3,
        }
    }
}

/// Recorded smoking status. Accepted spellings: `current`, `ex`, `never`, `unknown` or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Smoking {
    /// Smokes now: in the smoking cessation thread.
    Current,
    /// Used to smoke.
    Ex,
    /// Never smoked.
    Never,
    /// Not recorded.
    #[default]
    Unknown,
}

impl Smoking {
    /// Parse a recorded value; `None` when it is not one of the accepted spellings.
    #[must_use]
    pub fn parse(b: &[u8]) -> Option<Self> {
        match b {
            b"current" => Some(Self::Current),
            b"ex" => Some(Self::Ex),
            b"never" => Some(Self::Never),
            b"" | b"unknown" => Some(Self::Unknown),
            _ => None,
        }
    }
}

pub use crate::date::Date;

// The TypeScript name of a person record's `date_of_birth`, a `Date` (`YYYY-MM-DD`): this type
// only declares `DateOfBirth = string` in the generated definitions, which have named it since
// before the crate's two date types became one; Rust code uses `Date`. Its doc line is the
// TypeScript comment in the committed .d.ts files, so it stays as it was.
/// A calendar date (proleptic Gregorian), for ages from dates of birth.
#[cfg(feature = "ts")]
#[derive(Debug, tsify::Tsify)]
#[tsify(type = "string", rename = "DateOfBirth")]
pub struct DateOfBirth;

/// One person, as an analyst's extract or a form describes them. Ids are catalogue ids
/// (`seeds/catalogue/`); conditions may also be ICD-10 codes, mapped by the indicative code lists.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(default, deny_unknown_fields)]
#[json(expected = "a person record: an object")]
pub struct PersonRecord {
    /// The record's id (kept for error messages; never aggregated).
    pub id: String,
    /// Age in whole years, 0..=120.
    pub age: Option<u8>,
    /// Date of birth, used with [`Classifier::with_reference_date`] when `age` is absent.
    #[cfg_attr(feature = "ts", tsify(type = "DateOfBirth | null", optional))]
    pub date_of_birth: Option<Date>,
    /// Recorded sex.
    pub sex: Sex,
    /// NHS ethnic category code (`A`..`Z`, `99`); absent means not known.
    pub ethnicity: Option<String>,
    /// Area of residence (an LSOA code of the index in use).
    pub area: Option<String>,
    /// IMD decile given directly, when no area is known.
    pub imd_decile: Option<ImdDecile>,
    /// Condition ids or ICD-10 codes.
    pub conditions: Vec<String>,
    /// Group flags (`groups.json` `record_flags`), including `learning_disability` and `autism`.
    pub groups: Vec<String>,
    /// Smoking status.
    pub smoking: Smoking,
    /// Metric numerator events (e.g. `smi_health_check`).
    pub events: Vec<String>,
}

impl PersonRecord {
    /// An empty record with an id.
    #[must_use]
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }
}

/// A small set of indices, as a bitset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct BitSet(pub u64);

impl BitSet {
    /// Whether index `i` is in the set.
    #[must_use]
    pub fn contains(self, i: usize) -> bool {
        i < 64 && self.0 & (1 << i) != 0
    }

    /// Add index `i` (ignored past 63).
    pub fn insert(&mut self, i: usize) {
        if i < 64 {
            self.0 |= 1 << i;
        }
    }

    /// Number of members.
    #[must_use]
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Members in ascending order.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            if bits == 0 {
                None
            } else {
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(i)
            }
        })
    }
}

/// Why part of a membership could not be worked out. A bitset of these travels with every
/// membership and is counted in [`CohortCounts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Missing {
    /// The area code is not in the index in use (deprivation unknown).
    UnknownArea,
    /// Neither an area nor a decile was given (deprivation unknown).
    NoDeprivation,
    /// No age, and no date of birth with a reference date (age band and clinical areas unknown).
    NoAge,
    /// Ethnicity not stated or not known.
    EthnicityNotKnown,
    /// Sex not known.
    SexNotKnown,
}

impl Missing {
    /// All reasons in reporting order.
    pub const ALL: [Self; 5] = [
        Self::UnknownArea,
        Self::NoDeprivation,
        Self::NoAge,
        Self::EthnicityNotKnown,
        Self::SexNotKnown,
    ];

    /// The id used in outputs.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::UnknownArea => "unknown_area",
            Self::NoDeprivation => "no_deprivation",
            Self::NoAge => "no_age",
            Self::EthnicityNotKnown => "ethnicity_not_known",
            Self::SexNotKnown => "sex_not_known",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Which cohorts a person belongs to. Indices refer to the [`Classifier`]'s orderings
/// ([`Classifier::areas`], [`Classifier::plus_groups`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Membership {
    /// Core20: `None` when deprivation is unknown.
    pub core20: Option<bool>,
    /// National IMD decile.
    pub imd_decile: Option<ImdDecile>,
    /// National IMD quintile.
    pub imd_quintile: Option<ImdQuintile>,
    /// Age band index into the definition's bands; `None` when age is unknown.
    pub age_band: Option<u8>,
    /// Broad ethnic group index (catalogue order; the last is not stated/not known).
    pub ethnic_group: u8,
    /// NHS ethnic category index (catalogue order; `99`, not known, for a blank).
    pub ethnic_category: u8,
    /// The deprivation index row the deprivation came from, when one did.
    pub area: Option<AreaId>,
    /// The decile of each IMD domain a breakdown asks for, in the order of
    /// [`Classifier::breakdown_domains`]; 0 when unknown (no index row, or no breakdown asks).
    pub domain_deciles: [u8; MAX_DOMAIN_DIMENSIONS],
    /// The person's Place, as a cell of [`Classifier::place_cells`] (the last cells are "other"
    /// and "unknown"); 0 without a place lookup.
    pub place: u16,
    /// The place lookup's value for the person's area, as an index into its values (the
    /// values' count when unknown); 0 without a place lookup.
    pub place_value: u16,
    /// What the LSOA 2011-2021 bridge did with the area ([`BridgeRule::from_index`]); 0 when
    /// not bridging.
    pub bridge: u8,
    /// Recorded sex.
    pub sex: Sex,
    /// PLUS groups of the definition.
    pub plus_groups: BitSet,
    /// Adult clinical areas (indices into [`Classifier::areas`]).
    pub adult_areas: BitSet,
    /// CYP clinical areas (indices into [`Classifier::areas`]).
    pub cyp_areas: BitSet,
    /// In the smoking cessation thread (a current smoker).
    pub smoking_thread: bool,
    missing: u8,
}

impl Membership {
    /// Whether a reason applies.
    #[must_use]
    pub fn is_missing(&self, reason: Missing) -> bool {
        self.missing & reason.bit() != 0
    }

    /// Every reason that applies.
    pub fn missing(&self) -> impl Iterator<Item = Missing> + '_ {
        Missing::ALL.into_iter().filter(|m| self.is_missing(*m))
    }

    /// The missing reasons as bits, in the order of [`Missing::ALL`].
    #[must_use]
    pub fn missing_bits(&self) -> u8 {
        self.missing
    }

    /// All clinical areas, adult and CYP.
    #[must_use]
    pub fn areas(&self) -> BitSet {
        BitSet(self.adult_areas.0 | self.cyp_areas.0)
    }
}

/// A membership with ids instead of indices, for JSON and the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct MembershipReport {
    /// Core20, or null when deprivation is unknown.
    pub core20: Option<bool>,
    /// National IMD decile.
    pub imd_decile: Option<u8>,
    /// National IMD quintile.
    pub imd_quintile: Option<u8>,
    /// Age band label.
    pub age_band: String,
    /// Broad ethnic group id.
    pub ethnic_group: String,
    /// Sex id.
    pub sex: Sex,
    /// PLUS group ids.
    pub plus_groups: Vec<String>,
    /// Adult clinical area ids.
    pub adult_areas: Vec<String>,
    /// CYP clinical area ids.
    pub cyp_areas: Vec<String>,
    /// In the smoking cessation thread.
    pub smoking_thread: bool,
    /// Reasons for anything unknown.
    pub missing: Vec<Missing>,
}

/// A record that cannot be classified: an id the catalogue does not know, or an impossible value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClassifyError {
    /// An id or code that is not in the catalogue.
    #[error("{field} {value:?} is not a known {what}{hint}")]
    UnknownId {
        /// The record field (`conditions`, `groups`, `events`, `ethnicity`).
        field: &'static str,
        /// The value.
        value: String,
        /// What kind of id was expected.
        what: &'static str,
        /// A hint listing or pointing to the valid ids.
        hint: String,
    },
    /// An age outside 0..=120.
    #[error("age {0} is outside 0 to 120")]
    BadAge(u32),
    /// A date of birth after the reference date.
    #[error("date of birth {dob} is after the reference date {reference}")]
    BornAfterReference {
        /// Date of birth.
        dob: Date,
        /// Reference date.
        reference: Date,
    },
    /// An area given with a decile that disagrees with the index.
    #[error(
        "imd_decile {given} disagrees with area {area}, which is decile {indexed} in {edition}"
    )]
    DecileDisagrees {
        /// The decile in the record.
        given: u8,
        /// The area code.
        area: String,
        /// The decile the index has.
        indexed: u8,
        /// The index edition.
        edition: ImdEdition,
    },
    /// The text in `area` is not an area code.
    #[error("area {0}")]
    BadArea(#[from] crate::deprivation::AreaCodeError),
}

/// A definition that does not fit the catalogue or the index, or contradicts itself. Every
/// problem in the definition itself names the JSON pointer of the bad value (`at /plus_groups/2/id`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DefinitionError {
    /// A rule names an id the catalogue does not have.
    #[error(
        "cohort definition {definition} at {path}: PLUS group {group:?} refers to unknown {what} {id:?}"
    )]
    UnknownId {
        /// Definition id.
        definition: String,
        /// JSON pointer of the id.
        path: String,
        /// PLUS group id.
        group: String,
        /// What kind of id.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// Age bands that do not start at 0, do not ascend, start past [`MAX_AGE`] or are more than
    /// [`MAX_AGE_BANDS`].
    #[error(
        "cohort definition {definition} at {path}: age bands must start at 0, ascend, start at \
         {MAX_AGE} or below and be at most {MAX_AGE_BANDS}, got {bands:?}"
    )]
    BadAgeBands {
        /// Definition id.
        definition: String,
        /// JSON pointer of the first bad band (or of the list).
        path: String,
        /// The bands.
        bands: Vec<u8>,
    },
    /// More PLUS groups than the counts can hold.
    #[error(
        "cohort definition {definition} at {path}: {count} PLUS groups; at most {MAX_PLUS_GROUPS} are supported (MAX_PLUS_GROUPS)"
    )]
    TooManyGroups {
        /// Definition id.
        definition: String,
        /// JSON pointer of the list.
        path: String,
        /// How many.
        count: usize,
    },
    /// Two PLUS groups with the same id, or one called `all` (the counts' name for everyone).
    #[error("cohort definition {definition} at {path}: PLUS group id {id:?} {problem}")]
    BadGroupId {
        /// Definition id.
        definition: String,
        /// JSON pointer of the id.
        path: String,
        /// The id.
        id: String,
        /// What is wrong with it (`is used twice (first at /plus_groups/0/id)`).
        problem: String,
    },
    /// An age range whose minimum is above its maximum, or above [`MAX_AGE`], so no one is in it;
    /// or an adult minimum age above [`MAX_AGE`].
    #[error("cohort definition {definition} at {path}: {problem}")]
    BadAge {
        /// Definition id.
        definition: String,
        /// JSON pointer of the range or age.
        path: String,
        /// What is wrong (`the age range 30 to 5 is empty: min is above max`).
        problem: String,
    },
    /// A PLUS group's Places: an empty or repeated id, or (with a place lookup) one that is no
    /// Place in use.
    #[error("cohort definition {definition} at {path}: {problem}")]
    BadPlace {
        /// Definition id.
        definition: String,
        /// JSON pointer of the Place id.
        path: String,
        /// What is wrong, naming the id.
        problem: String,
    },
    /// A value that contradicts the rest of the definition or the catalogue (a target that is no
    /// proportion, a local metric of neither form, an id used twice, …).
    #[error("cohort definition {definition} at {path}: {problem}")]
    Bad {
        /// Definition id.
        definition: String,
        /// JSON pointer of the value.
        path: String,
        /// What is wrong, naming the value.
        problem: String,
    },
    /// The definition's edition is not English, so Core20 is undefined.
    #[error(
        "cohort definition {definition} at /imd_edition: Core20 is defined on the English IMD only, but the definition names {edition}"
    )]
    NotEngland {
        /// Definition id.
        definition: String,
        /// The edition.
        edition: ImdEdition,
    },
    /// The index given is not the definition's edition.
    #[error(
        "the IMD file is {index}, but the cohort definition uses {definition}; pass the matching file or choose the edition with --edition"
    )]
    EditionMismatch {
        /// The index's edition.
        index: ImdEdition,
        /// The definition's edition.
        definition: ImdEdition,
    },
    /// The definition file is not valid JSON of the right shape (the message has the JSON
    /// pointer of the bad value, or the line and column of a syntax error).
    #[error("cohort definition is not valid: {0}")]
    Parse(String),
    /// Something in the catalogue the classifier relies on is missing or too large.
    #[error("catalogue: {0}")]
    Catalogue(String),
}

impl CohortDefinition {
    /// The built-in national definition (`seeds/definitions/national.json`).
    ///
    /// # Panics
    /// Never for a released build: the seed is parsed by the test suite.
    #[must_use]
    #[allow(
        clippy::panic,
        reason = "seed files are compiled in and tested; not user input"
    )]
    pub fn national() -> Self {
        match Self::from_json(seed_text!("definitions/national.json")) {
            Ok(d) => d,
            Err(e) => panic!("built-in national definition: {e}"),
        }
    }

    /// The built-in Coventry and Warwickshire definition.
    ///
    /// # Panics
    /// Never for a released build: the seed is parsed by the test suite.
    #[must_use]
    #[allow(
        clippy::panic,
        reason = "seed files are compiled in and tested; not user input"
    )]
    pub fn coventry_warwickshire() -> Self {
        match Self::from_json(seed_text!("definitions/coventry-warwickshire.json")) {
            Ok(d) => d,
            Err(e) => panic!("built-in Coventry and Warwickshire definition: {e}"),
        }
    }

    /// Parse a definition from JSON and [check](Self::check) it.
    ///
    /// ```
    /// use equitas_core::cohort::CohortDefinition;
    ///
    /// let national = CohortDefinition::national();
    /// let text = serde_json::to_string(&national)?;
    /// assert_eq!(CohortDefinition::from_json(&text)?, national);
    /// // A bad value is named by its JSON pointer.
    /// let bad = text.replacen("\"adult_min_age\":18", "\"adult_min_age\":\"18\"", 1);
    /// let err = CohortDefinition::from_json(&bad).unwrap_err().to_string();
    /// assert!(err.contains("/adult_min_age"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`DefinitionError::Parse`] naming the JSON pointer of the bad value (or the line and
    /// column of a syntax error), or what [`Self::check`] finds, with its JSON pointer; text
    /// longer than [`MAX_DEFINITION_BYTES`] is refused unread.
    pub fn from_json(text: &str) -> Result<Self, DefinitionError> {
        if text.len() > MAX_DEFINITION_BYTES {
            return Err(DefinitionError::Parse(format!(
                "the file is {} bytes; at most {MAX_DEFINITION_BYTES} are read (MAX_DEFINITION_BYTES)",
                text.len()
            )));
        }
        let value = crate::read::parse(text)
            .map_err(|e: crate::read::ReadError| DefinitionError::Parse(e.to_string()))?;
        Self::from_value(&value, "")
    }

    /// A definition, whole or local (with `extends`, layered on the built-in one it names), from
    /// a JSON value already parsed (as the browser's cohort module receives it) at JSON pointer
    /// `at`, which errors in reading it are named under.
    ///
    /// # Errors
    /// As [`Self::from_json`], but no size limit: the caller has bounded the value.
    pub fn from_value(value: &serde_json::Value, at: &str) -> Result<Self, DefinitionError> {
        let parse = |e: crate::read::ReadError| DefinitionError::Parse(e.to_string());
        if value.get("extends").is_some() {
            let local = <LocalDefinition as FromJson>::from_json(value, at).map_err(parse)?;
            return local.apply();
        }
        let definition = <Self as FromJson>::from_json(value, at).map_err(parse)?;
        definition.check()?;
        Ok(definition)
    }

    /// The label of age band `i` (`0-4`, `85+`).
    #[must_use]
    pub fn age_band_label(&self, i: usize) -> String {
        match (self.age_bands.get(i), self.age_bands.get(i + 1)) {
            (Some(lo), Some(hi)) => format!("{lo}-{}", hi.saturating_sub(1)),
            (Some(lo), None) => format!("{lo}+"),
            _ => "unknown".to_owned(),
        }
    }
}

/// A compiled rule over a [`CompactRecord`].
#[derive(Debug, Clone)]
enum Compiled {
    AnyFlag(u64),
    AnyCondition(u64),
    EthnicMinority,
    EthnicCategories(u64),
    LtcAtLeast(u8),
    Age(u8, u8),
    Cyp,
    /// Sexes as bits of [`Sex::index`].
    Sex(u8),
    AtLeast(u8, Vec<Compiled>),
    AnyOf(Vec<Compiled>),
    AllOf(Vec<Compiled>),
    Not(Box<Compiled>),
}

/// One condition, compiled.
#[derive(Debug, Clone)]
struct CondInfo {
    adult_area: Option<u8>,
    cyp_area: Option<u8>,
    long_term: bool,
}

/// The definition and catalogue compiled for fast classification.
#[derive(Debug, Clone)]
pub struct Classifier<'a> {
    definition: CohortDefinition,
    catalogue: &'static Catalogue,
    index: Option<&'a DeprivationIndex>,
    reference_date: Option<Date>,
    area_ids: Vec<String>,
    area_age: Vec<Option<(u8, u8)>>,
    area_population: Vec<Population>,
    conditions: Vec<CondInfo>,
    condition_ids: Vec<String>,
    flag_ids: Vec<String>,
    event_ids: Vec<String>,
    metrics: Vec<metrics::MetricInfo>,
    /// The metrics counted, as a report shows them.
    metric_defs: Vec<CountedMetric>,
    /// Observed ÷ expected metrics, as bits.
    observed_metrics: u64,
    /// Whether every proportion metric's event has the metric's own index (the catalogue's
    /// do), so numerators are a mask of the events.
    events_identity: bool,
    /// Condition index → metrics whose denominator register it is.
    metrics_of_condition: Vec<u64>,
    /// Ethnic category index → (broad group index, minority).
    ethnic: Vec<(u8, bool)>,
    ethnic_codes: Vec<String>,
    /// Category index used for a blank ethnicity (`99`, not known).
    ethnic_not_known: u8,
    broad_not_stated: u8,
    /// PLUS groups whose rule is a plain `any_flag`: (flag mask, group bit).
    flag_rules: Vec<(u64, u64)>,
    /// Every other PLUS group rule, with its group bit.
    rules: Vec<(Compiled, u64)>,
    /// Conditions that are long-term, as a mask.
    long_term_mask: u64,
    /// Ethnic categories that are minorities, as a mask.
    minority_mask: u64,
    age_band_of: [u8; MAX_AGE as usize + 1],
    /// The breakdowns asked for, compiled ([`Self::with_breakdowns`]).
    breakdowns: Vec<breakdown::Compiled>,
    /// The index's domain columns the breakdowns need, in the order of
    /// [`Membership::domain_deciles`].
    domain_columns: Vec<usize>,
    /// The place lookup and Places, compiled ([`Self::with_places`]).
    places: Option<place::Tables<'a>>,
    /// The PLUS groups scoped to Places, as bits.
    scoped_groups: u64,
    /// The LSOA 2011-2021 bridge, compiled ([`Self::with_bridge`]).
    bridge: Option<bridge::Tables>,
}

fn position(ids: &[String], id: &str) -> Option<usize> {
    ids.iter().position(|x| x == id)
}

/// The index of `id` among `ids`, or an error that names the field and lists the valid ids.
#[inline]
fn find_id(
    ids: &[String],
    id: &[u8],
    field: &'static str,
    what: &'static str,
    plural: &str,
) -> Result<usize, ClassifyError> {
    ids.iter()
        .position(|c| c.as_bytes() == id)
        .ok_or_else(|| ClassifyError::UnknownId {
            field,
            value: String::from_utf8_lossy(id).into_owned(),
            what,
            hint: format!("; {plural} are {}", ids.join(", ")),
        })
}

/// The catalogue's conditions and metrics, compiled: ids become bit positions.
struct ClinicalTables {
    area_ids: Vec<String>,
    conditions: Vec<CondInfo>,
    condition_ids: Vec<String>,
    flag_ids: Vec<String>,
}

/// The catalogue's ethnic categories, compiled.
struct EthnicTables {
    /// Category index → (broad group index, minority).
    ethnic: Vec<(u8, bool)>,
    codes: Vec<String>,
    /// The category of a blank ethnicity (`99`, not known).
    not_known: u8,
    /// The last broad group (not stated).
    broad_not_stated: u8,
}

/// An error about the built-in catalogue itself (it is checked by the seed tests, so these only
/// show if a seed file is edited into an inconsistent state).
fn catalogue_error(message: String) -> DefinitionError {
    DefinitionError::Catalogue(message)
}

/// A definition can only be compiled against its own English edition, and an index given with
/// it must be of that edition.
fn check_edition(
    definition: &CohortDefinition,
    index: Option<&DeprivationIndex>,
) -> Result<(), DefinitionError> {
    if definition.imd_edition.nation() != Nation::England {
        return Err(DefinitionError::NotEngland {
            definition: definition.id.clone(),
            edition: definition.imd_edition,
        });
    }
    if let Some(ix) = index
        && ix.edition() != definition.imd_edition
    {
        return Err(DefinitionError::EditionMismatch {
            index: ix.edition(),
            definition: definition.imd_edition,
        });
    }
    Ok(())
}

impl ClinicalTables {
    /// Clinical areas, conditions (with their adult and CYP areas), group flags and metrics
    /// (with the condition whose register is their denominator), each id at its bit position;
    /// the bitsets are `u64`, so at most 64 of each (63 areas).
    fn compile(catalogue: &Catalogue) -> Result<Self, DefinitionError> {
        let area_ids: Vec<String> = catalogue
            .clinical_areas
            .areas
            .iter()
            .map(|a| a.id.clone())
            .collect();
        let area_index = |id: &Option<String>| -> Result<Option<u8>, DefinitionError> {
            id.as_ref()
                .map(|id| {
                    position(&area_ids, id)
                        .and_then(|i| u8::try_from(i).ok())
                        .ok_or_else(|| {
                            catalogue_error(format!("condition refers to unknown area {id}"))
                        })
                })
                .transpose()
        };
        let mut conditions = Vec::new();
        for c in &catalogue.conditions.conditions {
            conditions.push(CondInfo {
                adult_area: area_index(&c.adult_area)?,
                cyp_area: area_index(&c.cyp_area)?,
                long_term: c.long_term,
            });
        }
        let condition_ids: Vec<String> = catalogue
            .conditions
            .conditions
            .iter()
            .map(|c| c.id.clone())
            .collect();
        let flag_ids: Vec<String> = catalogue
            .groups
            .record_flags
            .iter()
            .map(|g| g.id.clone())
            .collect();
        if condition_ids.len() > 64 || flag_ids.len() > 64 || area_ids.len() > 63 {
            return Err(catalogue_error(
                "more than 64 conditions or flags, or 63 areas".into(),
            ));
        }
        Ok(Self {
            area_ids,
            conditions,
            condition_ids,
            flag_ids,
        })
    }
}

impl EthnicTables {
    /// NHS ethnic categories with their broad group and whether they are a minority; at most
    /// 64, and `99` (not known) must be one of them.
    fn compile(catalogue: &Catalogue) -> Result<Self, DefinitionError> {
        let broad: Vec<&str> = catalogue
            .ethnicity
            .broad_groups
            .iter()
            .map(|b| b.id.as_str())
            .collect();
        let mut ethnic = Vec::new();
        let mut codes = Vec::new();
        for c in &catalogue.ethnicity.categories {
            let b = broad
                .iter()
                .position(|b| *b == c.broad_group)
                .and_then(|i| u8::try_from(i).ok())
                .ok_or_else(|| {
                    catalogue_error(format!(
                        "ethnic category {} has unknown broad group",
                        c.code
                    ))
                })?;
            ethnic.push((b, c.minority));
            codes.push(c.code.clone());
        }
        if codes.len() > 64 {
            return Err(catalogue_error("more than 64 ethnic categories".into()));
        }
        let not_known = position(&codes, "99")
            .and_then(|i| u8::try_from(i).ok())
            .ok_or_else(|| catalogue_error("ethnicity.json has no code 99 (not known)".into()))?;
        Ok(Self {
            ethnic,
            codes,
            not_known,
            broad_not_stated: u8::try_from(broad.len().saturating_sub(1)).unwrap_or(0),
        })
    }
}

/// Age (0 to [`MAX_AGE`]) → the index of its band, for bands given by their lower ends.
fn age_band_table(bands: &[u8]) -> [u8; MAX_AGE as usize + 1] {
    let mut age_band_of = [0u8; MAX_AGE as usize + 1];
    for (age, slot) in age_band_of.iter_mut().enumerate() {
        let b = bands
            .iter()
            .rposition(|lo| usize::from(*lo) <= age)
            .unwrap_or(0);
        *slot = u8::try_from(b).unwrap_or(0);
    }
    age_band_of
}

/// Sexes as a bitset of [`Sex::index`].
fn sex_mask(sexes: &[Sex]) -> u8 {
    sexes.iter().fold(0, |m, s| m | (1 << s.index()))
}

/// The bitset of the positions where `bits` is true (at most 64 of them, checked when the
/// tables were compiled).
fn mask_of(bits: impl Iterator<Item = bool>) -> u64 {
    bits.enumerate()
        .filter(|(_, on)| *on)
        .fold(0, |m, (i, _)| m | (1 << i))
}

impl<'a> Classifier<'a> {
    /// Compile `definition` against the built-in catalogue. With an `index`, person areas are
    /// looked up in it; it must be the definition's English edition.
    ///
    /// ```
    /// use equitas_core::cohort::{Classifier, CohortDefinition};
    ///
    /// let classifier = Classifier::new(CohortDefinition::national(), None)?;
    /// assert!(classifier.area_index("smi").is_some());
    /// # Ok::<(), equitas_core::cohort::DefinitionError>(())
    /// ```
    ///
    /// # Errors
    /// A rule naming an unknown id, bad age bands, a non-English edition, or an index of another
    /// edition.
    pub fn new(
        definition: CohortDefinition,
        index: Option<&'a DeprivationIndex>,
    ) -> Result<Self, DefinitionError> {
        let catalogue = Catalogue::builtin();
        check_edition(&definition, index)?;
        definition.check()?;
        let clinical = ClinicalTables::compile(catalogue)?;
        let counted = metrics::compile(
            catalogue,
            &definition,
            &clinical.area_ids,
            &clinical.condition_ids,
        )?;
        let ethnic = EthnicTables::compile(catalogue)?;
        let areas = &catalogue.clinical_areas.areas;
        let mut this = Self {
            catalogue,
            index,
            reference_date: None,
            area_age: areas
                .iter()
                .map(|a| a.age_range.map(|r| (r.min, r.max)))
                .collect(),
            area_population: areas.iter().map(|a| a.population).collect(),
            long_term_mask: mask_of(clinical.conditions.iter().map(|c| c.long_term)),
            minority_mask: mask_of(ethnic.ethnic.iter().map(|(_, minority)| *minority)),
            area_ids: clinical.area_ids,
            conditions: clinical.conditions,
            condition_ids: clinical.condition_ids,
            flag_ids: clinical.flag_ids,
            observed_metrics: mask_of(counted.infos.iter().map(|m| m.observed)),
            events_identity: counted
                .infos
                .iter()
                .enumerate()
                .all(|(i, m)| m.observed || usize::from(m.event) == i),
            event_ids: counted.event_ids,
            metrics: counted.infos,
            metric_defs: counted.defs,
            metrics_of_condition: counted.metrics_of_condition,
            ethnic: ethnic.ethnic,
            ethnic_codes: ethnic.codes,
            ethnic_not_known: ethnic.not_known,
            broad_not_stated: ethnic.broad_not_stated,
            flag_rules: Vec::new(),
            rules: Vec::new(),
            age_band_of: age_band_table(&definition.age_bands),
            breakdowns: Vec::new(),
            domain_columns: Vec::new(),
            places: None,
            bridge: None,
            scoped_groups: mask_of(definition.plus_groups.iter().map(|g| !g.places.is_empty())),
            definition,
        };
        this.compile_plus_groups()?;
        Ok(this)
    }

    /// Compiles the definition's PLUS group rules: a plain `any_flag` becomes one mask test
    /// (`flag_rules`), anything else a compiled rule (`rules`); group `i` is bit `i`.
    fn compile_plus_groups(&mut self) -> Result<(), DefinitionError> {
        let mut flag_rules = Vec::new();
        let mut rules = Vec::new();
        for (i, g) in self.definition.plus_groups.iter().enumerate() {
            let path = definition::at(&definition::at("", "plus_groups", Some(i)), "rule", None);
            let mut rule = self.compile(&g.id, &g.rule, &path)?;
            // The group's qualifiers: its rule, and of these ages and sexes only.
            if g.age.is_some() || !g.sex.is_empty() {
                let mut all = vec![rule];
                if let Some(a) = g.age {
                    all.push(Compiled::Age(a.min, a.max));
                }
                if !g.sex.is_empty() {
                    all.push(Compiled::Sex(sex_mask(&g.sex)));
                }
                rule = Compiled::AllOf(all);
            }
            match rule {
                Compiled::AnyFlag(mask) => flag_rules.push((mask, 1u64 << i)),
                other => rules.push((other, 1u64 << i)),
            }
        }
        self.flag_rules = flag_rules;
        self.rules = rules;
        Ok(())
    }

    /// Use `date` to work out ages from dates of birth.
    #[must_use]
    pub fn with_reference_date(mut self, date: Date) -> Self {
        self.reference_date = Some(date);
        self
    }

    /// `rule` of PLUS group `group`, compiled; `path` is the rule's JSON pointer in the
    /// definition, for errors.
    fn compile(&self, group: &str, rule: &Rule, path: &str) -> Result<Compiled, DefinitionError> {
        let mask = |ids: &[String], known: &[String], what, name: &str| {
            ids.iter().enumerate().try_fold(0u64, |m, (k, id)| {
                position(known, id).map(|i| m | (1 << i)).ok_or_else(|| {
                    DefinitionError::UnknownId {
                        definition: self.definition.id.clone(),
                        path: definition::at(path, name, Some(k)),
                        group: group.to_owned(),
                        what,
                        id: id.clone(),
                    }
                })
            })
        };
        let list = |rs: &[Rule], name: &str| {
            rs.iter()
                .enumerate()
                .map(|(k, r)| self.compile(group, r, &definition::at(path, name, Some(k))))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(match rule {
            Rule::AnyFlag(ids) => {
                Compiled::AnyFlag(mask(ids, &self.flag_ids, "group flag", "any_flag")?)
            }
            Rule::AnyCondition(ids) => Compiled::AnyCondition(mask(
                ids,
                &self.condition_ids,
                "condition",
                "any_condition",
            )?),
            Rule::EthnicMinority => Compiled::EthnicMinority,
            Rule::EthnicCategories(ids) => Compiled::EthnicCategories(mask(
                ids,
                &self.ethnic_codes,
                "ethnic category",
                "ethnic_categories",
            )?),
            Rule::LongTermConditionsAtLeast(n) => Compiled::LtcAtLeast(*n),
            Rule::Age(r) => Compiled::Age(r.min, r.max),
            Rule::Cyp => Compiled::Cyp,
            Rule::Sex(sexes) => Compiled::Sex(sex_mask(sexes)),
            Rule::AtLeast(a) => Compiled::AtLeast(
                a.count,
                a.of.iter()
                    .enumerate()
                    .map(|(k, r)| {
                        self.compile(
                            group,
                            r,
                            &definition::at(&definition::at(path, "at_least", None), "of", Some(k)),
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Rule::AnyOf(rs) => Compiled::AnyOf(list(rs, "any_of")?),
            Rule::AllOf(rs) => Compiled::AllOf(list(rs, "all_of")?),
            Rule::Not(r) => Compiled::Not(Box::new(self.compile(
                group,
                r,
                &definition::at(path, "not", None),
            )?)),
        })
    }

    /// The definition in use.
    #[must_use]
    pub fn definition(&self) -> &CohortDefinition {
        &self.definition
    }

    /// The catalogue in use.
    #[must_use]
    pub fn catalogue(&self) -> &'static Catalogue {
        self.catalogue
    }

    /// The deprivation index in use, if any.
    #[must_use]
    pub fn index(&self) -> Option<&'a DeprivationIndex> {
        self.index
    }

    /// Clinical area ids, in the order of membership bitsets (adult then CYP).
    #[must_use]
    pub fn areas(&self) -> &[String] {
        &self.area_ids
    }

    /// The bit index of a clinical area.
    #[must_use]
    pub fn area_index(&self, id: &str) -> Option<usize> {
        position(&self.area_ids, id)
    }

    /// PLUS group ids of the definition, in bitset order.
    pub fn plus_groups(&self) -> impl Iterator<Item = &str> {
        self.definition.plus_groups.iter().map(|g| g.id.as_str())
    }

    /// Number of broad ethnic groups (the last is not stated / not known).
    #[must_use]
    pub fn ethnic_groups(&self) -> usize {
        usize::from(self.broad_not_stated) + 1
    }

    /// Metric count, in catalogue order.
    #[must_use]
    pub fn metric_count(&self) -> usize {
        self.metrics.len()
    }

    /// The metrics counted, in order: the catalogue's (with the targets in force), then the
    /// definition's own.
    #[must_use]
    pub fn metrics(&self) -> &[CountedMetric] {
        &self.metric_defs
    }

    /// Turn a person record into its compact form (ids to bit indices).
    ///
    /// # Errors
    /// An unknown id or code, an impossible age, or a decile that disagrees with the area.
    pub fn compact(&self, p: &PersonRecord) -> Result<CompactRecord, ClassifyError> {
        let mut r = CompactRecord {
            sex: p.sex,
            smoking: p.smoking,
            ethnic: self.ethnic_not_known,
            ..CompactRecord::default()
        };
        r.age = match (p.age, p.date_of_birth, self.reference_date) {
            (Some(a), _, _) if a > MAX_AGE => return Err(ClassifyError::BadAge(u32::from(a))),
            (Some(a), _, _) => Some(a),
            (None, Some(dob), Some(reference)) => {
                let age = dob
                    .age_on(reference)
                    .ok_or(ClassifyError::BornAfterReference { dob, reference })?;
                let age = u8::try_from(age)
                    .ok()
                    .filter(|a| *a <= MAX_AGE)
                    .ok_or(ClassifyError::BadAge(age))?;
                Some(age)
            }
            _ => None,
        };
        if let Some(e) = &p.ethnicity {
            r.ethnic = self.ethnic_index(e.as_bytes())?;
        }
        for c in &p.conditions {
            r.conditions.insert(self.condition_index(c.as_bytes())?);
        }
        for g in &p.groups {
            r.flags.insert(self.flag_index(g.as_bytes())?);
        }
        for e in &p.events {
            r.events.insert(self.event_index(e.as_bytes())?);
        }
        let resolved = self.resolve_area(p.area.as_deref().map(str::as_bytes), p.imd_decile)?;
        (r.deprivation, r.area, r.place, r.bridge) = (
            resolved.deprivation,
            resolved.area,
            resolved.place,
            resolved.bridge,
        );
        Ok(r)
    }

    /// Resolve deprivation from an area code and/or a decile.
    ///
    /// # Errors
    /// Text that is not an area code, or a decile that disagrees with the area's.
    #[inline]
    pub fn deprivation(
        &self,
        area: Option<&[u8]>,
        decile: Option<ImdDecile>,
    ) -> Result<compact::Deprivation, ClassifyError> {
        Ok(self.resolve_area(area, decile)?.deprivation)
    }

    /// Resolve an area code and/or a decile: deprivation, the index row it came from (when it
    /// came from one), and the area's value in the place lookup (when there is one).
    ///
    /// # Errors
    /// Text that is not an area code, or a decile that disagrees with the area's.
    #[inline]
    pub fn resolve_area(
        &self,
        area: Option<&[u8]>,
        decile: Option<ImdDecile>,
    ) -> Result<ResolvedArea, ClassifyError> {
        use compact::Deprivation as D;
        let mut out = ResolvedArea {
            // With no area, or an area and no index to look it up in, the decile column (if
            // any) decides.
            deprivation: decile.map_or(D::None, D::Known),
            area: None,
            place: NO_PLACE,
            bridge: 0,
        };
        let Some(text) = area.filter(|a| !a.is_empty()) else {
            return Ok(out);
        };
        if self.index.is_none() && self.places.is_none() {
            return Ok(out);
        }
        let code = AreaCode::parse_bytes(text)?;
        if let Some(b) = &self.bridge {
            // Records of the other vintage: their codes are the lookup's, not the index's.
            if let Some(p) = &self.places {
                out.place = p.lookup.get(code).unwrap_or(NO_PLACE);
            }
            let (d, id, rule) =
                b.get(code)
                    .unwrap_or((None, None, BridgeRule::NotInLookup.index()));
            out.bridge = rule;
            out.area = id;
            out.deprivation = match d {
                Some(d) => {
                    if let Some(given) = decile
                        && given != d
                        && let Some(ix) = self.index
                    {
                        return Err(ClassifyError::DecileDisagrees {
                            given: given.get(),
                            area: code.to_string(),
                            indexed: d.get(),
                            edition: ix.edition(),
                        });
                    }
                    D::Known(d)
                }
                None => D::UnknownArea,
            };
            return Ok(out);
        }
        if let Some(ix) = self.index {
            match ix.lookup(code) {
                Some(id) => {
                    let d = ix.decile(id);
                    if let Some(given) = decile
                        && given != d
                    {
                        return Err(ClassifyError::DecileDisagrees {
                            given: given.get(),
                            area: code.to_string(),
                            indexed: d.get(),
                            edition: ix.edition(),
                        });
                    }
                    out.deprivation = D::Known(d);
                    out.area = Some(id);
                }
                None => out.deprivation = D::UnknownArea,
            }
        }
        if let Some(p) = &self.places {
            // The area's Place: by its index row when the area is in the index (one array
            // read), else through the lookup's own hash.
            out.place = out
                .area
                .and_then(|id| p.value_of_row.get(id.0 as usize).copied())
                .unwrap_or_else(|| p.lookup.get(code).unwrap_or(NO_PLACE));
        }
        Ok(out)
    }

    /// The ethnic category index of a code (blank → not known).
    ///
    /// # Errors
    /// A code that is not an NHS ethnic category.
    #[inline]
    pub fn ethnic_index(&self, code: &[u8]) -> Result<u8, ClassifyError> {
        if code.is_empty() {
            return Ok(self.ethnic_not_known);
        }
        self.ethnic_codes
            .iter()
            .position(|c| c.as_bytes() == code)
            .and_then(|i| u8::try_from(i).ok())
            .ok_or_else(|| ClassifyError::UnknownId {
                field: "ethnicity",
                value: String::from_utf8_lossy(code).into_owned(),
                what: "NHS ethnic category code",
                hint: format!("; use one of {}", self.ethnic_codes.join(", ")),
            })
    }

    /// The condition index of a condition id or ICD-10 code.
    ///
    /// # Errors
    /// Neither a condition id nor an ICD-10 code on the indicative lists.
    #[inline]
    pub fn condition_index(&self, id: &[u8]) -> Result<usize, ClassifyError> {
        if let Some(i) = self.condition_ids.iter().position(|c| c.as_bytes() == id) {
            return Ok(i);
        }
        let text = String::from_utf8_lossy(id);
        if let Some(cond) = self.catalogue.condition_for_icd10(&text)
            && let Some(i) = position(&self.condition_ids, cond)
        {
            return Ok(i);
        }
        Err(ClassifyError::UnknownId {
            field: "conditions",
            value: text.into_owned(),
            what: "condition id or ICD-10 code on the indicative lists",
            hint: format!("; condition ids are {}", self.condition_ids.join(", ")),
        })
    }

    /// The flag index of a group flag id.
    ///
    /// # Errors
    /// An id not in `groups.json` `record_flags`.
    #[inline]
    pub fn flag_index(&self, id: &[u8]) -> Result<usize, ClassifyError> {
        find_id(&self.flag_ids, id, "groups", "group flag", "flags")
    }

    /// The event index of a metric numerator event id.
    ///
    /// # Errors
    /// An id that is no metric's numerator event.
    #[inline]
    pub fn event_index(&self, id: &[u8]) -> Result<usize, ClassifyError> {
        find_id(&self.event_ids, id, "events", "metric event", "events")
    }

    /// Classify one person.
    ///
    /// ```
    /// use equitas_core::cohort::{Classifier, CohortDefinition, PersonRecord};
    ///
    /// let classifier = Classifier::new(CohortDefinition::national(), None)?;
    /// let person = PersonRecord::from_json(
    ///     r#"{"id": "p1", "age": 9, "imd_decile": 1, "conditions": ["asthma"], "ethnicity": "H"}"#,
    /// )?;
    /// let m = classifier.describe(&classifier.classify(&person)?);
    /// assert_eq!(m.core20, Some(true));
    /// assert_eq!(m.imd_quintile, Some(1));
    /// assert_eq!(m.cyp_areas, ["cyp_asthma"]);
    /// assert!(m.plus_groups.contains(&"ethnic_minority".to_owned()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Self::compact`].
    pub fn classify(&self, p: &PersonRecord) -> Result<Membership, ClassifyError> {
        Ok(self.classify_compact(&self.compact(p)?))
    }

    /// Classify a compact record: the hot path, no allocation.
    #[inline]
    #[must_use]
    pub fn classify_compact(&self, r: &CompactRecord) -> Membership {
        use compact::Deprivation as D;
        let mut m = Membership {
            sex: r.sex,
            ..Membership::default()
        };
        match r.deprivation {
            D::Known(d) => {
                m.imd_decile = Some(d);
                m.imd_quintile = Some(d.quintile());
                m.core20 = Some(d.is_core20());
            }
            D::UnknownArea => m.missing |= Missing::UnknownArea.bit(),
            D::None => m.missing |= Missing::NoDeprivation.bit(),
        }
        let (broad, _) = self.ethnic[usize::from(r.ethnic)];
        m.ethnic_group = broad;
        m.ethnic_category = r.ethnic;
        m.area = r.area;
        m.bridge = r.bridge;
        if let Some(p) = &self.places {
            let v = usize::from(r.place).min(p.cell_of_value.len() - 1);
            m.place_value = u16::try_from(v).unwrap_or(u16::MAX);
            m.place = p.cell_of_value[v];
        }
        if !self.domain_columns.is_empty()
            && let (Some(ix), Some(row)) = (self.index, r.area)
        {
            for (slot, &column) in m.domain_deciles.iter_mut().zip(&self.domain_columns) {
                *slot = ix.domain_decile(row, column).map_or(0, ImdDecile::get);
            }
        }
        if broad == self.broad_not_stated {
            m.missing |= Missing::EthnicityNotKnown.bit();
        }
        if r.sex == Sex::Unknown {
            m.missing |= Missing::SexNotKnown.bit();
        }
        m.smoking_thread = r.smoking == Smoking::Current;
        match r.age {
            Some(age) => {
                m.age_band = Some(self.age_band_of[usize::from(age.min(MAX_AGE))]);
                let adult = age >= self.definition.adult_min_age;
                let cyp = self.definition.cyp_age_range.contains(age);
                let mut conds = r.conditions.0;
                while conds != 0 {
                    let i = conds.trailing_zeros() as usize;
                    conds &= conds - 1;
                    let c = &self.conditions[i];
                    if adult && let Some(a) = c.adult_area {
                        m.adult_areas.insert(usize::from(a));
                    }
                    if cyp && let Some(a) = c.cyp_area {
                        let a = usize::from(a);
                        if self.area_age[a].is_none_or(|(lo, hi)| (lo..=hi).contains(&age)) {
                            m.cyp_areas.insert(a);
                        }
                    }
                }
            }
            None => m.missing |= Missing::NoAge.bit(),
        }
        // Results are folded in without branching: whether a rule holds is close to random
        // from one person to the next, so branches on it mispredict.
        let mut plus = 0u64;
        if r.flags.0 != 0 {
            for &(mask, bit) in &self.flag_rules {
                plus |= bit * u64::from(r.flags.0 & mask != 0);
            }
        }
        for (rule, bit) in &self.rules {
            plus |= bit * u64::from(self.eval_leaf(rule, r));
        }
        if self.scoped_groups != 0 {
            // A group scoped to Places holds only for people of those Places.
            let allowed = self
                .places
                .as_ref()
                .and_then(|p| p.allowed.get(usize::from(m.place)))
                .copied()
                .unwrap_or(0);
            plus &= !self.scoped_groups | allowed;
        }
        m.plus_groups = BitSet(plus);
        m
    }

    /// A rule with no sub-rules: no recursion, so it inlines into the hot loop.
    #[inline(always)]
    fn eval_leaf(&self, rule: &Compiled, r: &CompactRecord) -> bool {
        match rule {
            Compiled::AnyFlag(mask) => r.flags.0 & mask != 0,
            Compiled::AnyCondition(mask) => r.conditions.0 & mask != 0,
            Compiled::EthnicMinority => self.minority_mask & (1 << r.ethnic) != 0,
            Compiled::EthnicCategories(mask) => mask & (1 << r.ethnic) != 0,
            Compiled::LtcAtLeast(n) => {
                (r.conditions.0 & self.long_term_mask).count_ones() >= u32::from(*n)
            }
            Compiled::Age(lo, hi) => r.age.is_some_and(|a| (*lo..=*hi).contains(&a)),
            Compiled::Cyp => r
                .age
                .is_some_and(|a| self.definition.cyp_age_range.contains(a)),
            Compiled::Sex(mask) => mask & (1 << r.sex.index()) != 0,
            Compiled::AtLeast(..) | Compiled::AnyOf(_) | Compiled::AllOf(_) | Compiled::Not(_) => {
                self.eval(rule, r)
            }
        }
    }

    fn eval(&self, rule: &Compiled, r: &CompactRecord) -> bool {
        match rule {
            Compiled::AnyOf(rs) => rs.iter().any(|x| self.eval(x, r)),
            Compiled::AllOf(rs) => rs.iter().all(|x| self.eval(x, r)),
            Compiled::AtLeast(k, rs) => {
                rs.iter().filter(|x| self.eval(x, r)).count() >= usize::from(*k)
            }
            Compiled::Not(x) => !self.eval(x, r),
            leaf => self.eval_leaf(leaf, r),
        }
    }

    /// The metric denominators and numerators a classified record contributes to: bit `m` of
    /// the first set means the person is in metric `m`'s denominator (on its condition's register
    /// and in its clinical area, so a CYP metric counts only children and young people), of the
    /// second, in its numerator too (the event is recorded).
    #[inline]
    #[must_use]
    pub fn metric_bits(&self, r: &CompactRecord, m: &Membership) -> (u64, u64) {
        let mut candidates = 0u64;
        for c in r.conditions.iter() {
            candidates |= self.metrics_of_condition[c];
        }
        let areas = m.areas();
        let in_ages = |age: Option<(u8, u8)>| {
            age.is_none_or(|(lo, hi)| r.age.is_some_and(|a| (lo..=hi).contains(&a)))
        };
        let mut den = 0u64;
        let mut bits = candidates & !self.observed_metrics;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let info = &self.metrics[i];
            if areas.contains(usize::from(info.area)) && in_ages(info.age) {
                den |= 1 << i;
            }
        }
        let mut num = if self.events_identity {
            den & r.events.0
        } else {
            let mut num = 0u64;
            let mut bits = den;
            while bits != 0 {
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if r.events.contains(usize::from(self.metrics[i].event)) {
                    num |= 1 << i;
                }
            }
            num
        };
        // Observed ÷ expected: everyone in the age range is in the denominator (the expected
        // number is a share of them), those on the register in the numerator.
        let mut bits = self.observed_metrics;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if in_ages(self.metrics[i].age) {
                den |= 1 << i;
                num |= candidates & (1 << i);
            }
        }
        (den, num)
    }

    /// A membership with ids instead of indices.
    #[must_use]
    pub fn describe(&self, m: &Membership) -> MembershipReport {
        let names =
            |set: BitSet, ids: &[String]| set.iter().filter_map(|i| ids.get(i).cloned()).collect();
        let plus: Vec<String> = self
            .definition
            .plus_groups
            .iter()
            .map(|g| g.id.clone())
            .collect();
        MembershipReport {
            core20: m.core20,
            imd_decile: m.imd_decile.map(ImdDecile::get),
            imd_quintile: m.imd_quintile.map(ImdQuintile::get),
            age_band: m.age_band.map_or_else(
                || "unknown".to_owned(),
                |b| self.definition.age_band_label(usize::from(b)),
            ),
            ethnic_group: self
                .catalogue
                .ethnicity
                .broad_groups
                .get(usize::from(m.ethnic_group))
                .map(|b| b.id.clone())
                .unwrap_or_default(),
            sex: m.sex,
            plus_groups: names(m.plus_groups, &plus),
            adult_areas: names(m.adult_areas, &self.area_ids),
            cyp_areas: names(m.cyp_areas, &self.area_ids),
            smoking_thread: m.smoking_thread,
            missing: m.missing().collect(),
        }
    }

    /// The population (adult or CYP) of a clinical area index.
    #[must_use]
    pub fn area_population(&self, i: usize) -> Option<Population> {
        self.area_population.get(i).copied()
    }
}

#[cfg(test)]
mod tests;

impl PersonRecord {
    /// Reads a person record from JSON text: an object with any of the fields above, none
    /// other; a missing field takes its default.
    ///
    /// # Errors
    /// The text is not JSON or a field holds the wrong kind of value, named by its JSON pointer.
    pub fn from_json(text: &str) -> Result<Self, crate::read::ReadError> {
        crate::read::from_str(text)
    }
}
