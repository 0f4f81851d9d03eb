//! Geography: which Place a small area belongs to.
//!
//! A [`PlaceLookup`] maps an area code (an LSOA) to a value: a local authority, sub-ICB location
//! or ICB from the ONS lookups, or a PCN, practice, neighbourhood or ward from a system's own
//! two-column file. [`Places`] groups those values into the Places a system plans by, as data
//! (`seeds/places/coventry-warwickshire.json`: Coventry, Rugby, Warwickshire North and South
//! Warwickshire as groupings of local authorities). A [`super::cohort::Classifier`] given a lookup
//! ([`super::cohort::Classifier::with_places`]) puts every person in a Place, counts by Place,
//! and applies PLUS groups scoped to a Place only to people of that Place.
//!
//! ```
//! use equitas_core::geography::PlaceLookup;
//! use equitas_core::deprivation::AreaCode;
//!
//! let csv = "lsoa11_code,pcn\nE01009637,North PCN\nE01009638,South PCN\n";
//! let lookup = PlaceLookup::from_csv(csv.as_bytes(), None, None)?;
//! assert_eq!(lookup.values(), ["North PCN", "South PCN"]);
//! let v = lookup.get(AreaCode::parse("E01009638")?).map(|i| lookup.value(i));
//! assert_eq!(v, Some("South PCN"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "csv")]
#[allow(
    clippy::disallowed_methods,
    reason = "the lookup readers run natively (the CLI); no browser module reaches them"
)]
mod bridge;
mod places;

use crate::deprivation::AreaCode;
use crate::deprivation::phf::PerfectHash;

#[cfg(feature = "csv")]
pub use bridge::{BRIDGE_COLUMNS, Bridge, BridgeError, Change, MAX_BRIDGE_BYTES, MAX_BRIDGE_ROWS};
pub use places::{MAX_PLACES, MAX_PLACES_BYTES, NamedPlace, Places, PlacesError};

/// The most areas a place lookup may map: 1,000,000 (England has 35,672 LSOAs of 2021).
pub const MAX_LOOKUP_AREAS: usize = 1_000_000;

/// The most distinct values a place lookup may have: 16,384, the most cells a breakdown
/// dimension may have ([`crate::cohort::MAX_DIMENSION_CELLS`]); England has about 6,300 GP
/// practices and 7,000 electoral wards.
pub const MAX_LOOKUP_VALUES: usize = crate::cohort::MAX_DIMENSION_CELLS;

/// The largest place lookup file read, in bytes: 64 MiB. The ONS LSOA lookups are 2 to 4 MB.
pub const MAX_LOOKUP_BYTES: u64 = 64 << 20;

/// The longest value (a Place's name or code) a lookup may hold, in bytes: 200.
pub const MAX_VALUE_BYTES: usize = 200;

/// Values a lookup may not use: the report's names for a margin, for an area in no Place and
/// for an unknown one.
pub const RESERVED_VALUES: [&str; 3] = ["all", "other", "unknown"];

/// Area codes mapped to values (Places, local authorities, PCNs, …).
#[derive(Debug, Clone)]
pub struct PlaceLookup {
    key_column: String,
    value_column: String,
    codes: Vec<AreaCode>,
    /// The value of each code, as an index into `values`.
    value_of: Vec<u16>,
    /// The distinct values, sorted.
    values: Vec<String>,
    hash: PerfectHash,
}

/// A place lookup that cannot be read. Each names the row (as an editor numbers the file's
/// lines, the header being row 1), the column and the value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// A column asked for is not in the header.
    #[error("place lookup has no column {column:?}; its columns are {found}")]
    MissingColumn {
        /// The column asked for.
        column: String,
        /// The header.
        found: String,
    },
    /// More than two columns, and no value column named.
    #[error(
        "place lookup has {count} columns ({found}); name the one that holds the Place (--place-column), or give a file of two columns: area code, Place"
    )]
    WhichColumn {
        /// How many columns.
        count: usize,
        /// The header.
        found: String,
    },
    /// A value that cannot be used, at a row.
    #[error("place lookup row {row}, column {column:?}: {problem}")]
    Bad {
        /// The row.
        row: u64,
        /// The column.
        column: String,
        /// What is wrong, naming the value.
        problem: String,
    },
    /// An area listed twice.
    #[error(
        "place lookup row {row}: area {code} is listed twice (first at row {first}); each area may be in one Place only"
    )]
    Duplicate {
        /// The row of the repeat.
        row: u64,
        /// The area.
        code: String,
        /// The row where it was first listed.
        first: u64,
    },
    /// More than a limit allows.
    #[error("place lookup has more than {limit} {what} ({name}){why}")]
    TooLarge {
        /// What there are too many of.
        what: &'static str,
        /// The limit.
        limit: u64,
        /// The limit's name.
        name: &'static str,
        /// Why the limit is what it is.
        why: &'static str,
    },
    /// No rows.
    #[error("place lookup has no rows")]
    Empty,
    /// Malformed CSV.
    #[error("place lookup: {0}")]
    Csv(String),
    /// A failed read.
    #[error("place lookup could not be read: {0}")]
    Io(#[from] std::io::Error),
}

impl PlaceLookup {
    /// A lookup from (area code, value) pairs; the key and value columns are named for messages.
    ///
    /// # Errors
    /// As [`Self::from_csv`] (rows are numbered from 2, as if after a header).
    pub fn from_pairs<'a>(
        key_column: &str,
        value_column: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, LookupError> {
        let mut b = Builder::new(key_column, value_column);
        for (row, (code, value)) in (2u64..).zip(pairs) {
            b.push(row, code, value)?;
        }
        b.finish()
    }

    /// Read a lookup from CSV with a header. `key_column` holds the area codes (default: the
    /// first column); `value_column` the Place (default: the second, when the file has exactly
    /// two columns). Every area may be listed once; values are trimmed and may not be empty,
    /// longer than [`MAX_VALUE_BYTES`] or one of [`RESERVED_VALUES`].
    ///
    /// # Errors
    /// A missing column, a bad area code, an empty or reserved value, an area listed twice
    /// (naming both rows), more than [`MAX_LOOKUP_AREAS`] areas, [`MAX_LOOKUP_VALUES`] values
    /// or [`MAX_LOOKUP_BYTES`] bytes, malformed CSV or a failed read.
    #[cfg(feature = "csv")]
    pub fn from_csv<R: std::io::Read>(
        reader: R,
        key_column: Option<&str>,
        value_column: Option<&str>,
    ) -> Result<Self, LookupError> {
        let mut limited = reader.take(MAX_LOOKUP_BYTES + 1);
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(&mut limited);
        let header: Vec<String> = rdr
            .headers()
            .map_err(lookup_csv_error)?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| LookupError::MissingColumn {
                    column: name.to_owned(),
                    found: header.join(","),
                })
        };
        let key = key_column.map_or(Ok(0), find)?;
        let value = match value_column {
            Some(v) => find(v)?,
            None if header.len() == 2 => 1,
            None => {
                return Err(LookupError::WhichColumn {
                    count: header.len(),
                    found: header.join(","),
                });
            }
        };
        let name = |i: usize| header.get(i).cloned().unwrap_or_default();
        let mut b = Builder::new(&name(key), &name(value));
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(lookup_csv_error(e)),
            }
            let row = rec.position().map_or(0, csv::Position::line);
            let pushed = b.push(
                row,
                rec.get(key).unwrap_or("").trim(),
                rec.get(value).unwrap_or("").trim(),
            );
            // A row cut short by the size limit: the limit is the problem, not the row.
            if rdr.get_ref().limit() == 0 {
                break;
            }
            pushed?;
        }
        if rdr.get_ref().limit() == 0 {
            return Err(LookupError::TooLarge {
                what: "bytes",
                limit: MAX_LOOKUP_BYTES,
                name: "MAX_LOOKUP_BYTES",
                why: "; the ONS LSOA lookups are 2 to 4 MB",
            });
        }
        b.finish()
    }

    /// Read a lookup from a file (see [`Self::from_csv`]).
    ///
    /// # Errors
    /// As [`Self::from_csv`], or the file cannot be opened.
    #[cfg(feature = "csv")]
    pub fn from_path(
        path: &std::path::Path,
        key_column: Option<&str>,
        value_column: Option<&str>,
    ) -> Result<Self, LookupError> {
        let f = std::fs::File::open(path)?;
        Self::from_csv(std::io::BufReader::new(f), key_column, value_column)
    }

    /// The value index of an area: O(1), no allocation.
    #[inline]
    #[must_use]
    pub fn get(&self, code: AreaCode) -> Option<u16> {
        let row = self.hash.get(code.key())? as usize;
        (self.codes.get(row) == Some(&code)).then(|| self.value_of[row])
    }

    /// The value with index `i` (empty past the end).
    #[must_use]
    pub fn value(&self, i: u16) -> &str {
        self.values.get(usize::from(i)).map_or("", String::as_str)
    }

    /// The distinct values, sorted.
    #[must_use]
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// How many areas it maps.
    #[must_use]
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether it maps no area (never true for a lookup that was read).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The name of the area code column.
    #[must_use]
    pub fn key_column(&self) -> &str {
        &self.key_column
    }

    /// The name of the value column (what the values are: `ltla22_code`, `pcn`).
    #[must_use]
    pub fn value_column(&self) -> &str {
        &self.value_column
    }
}

#[cfg(feature = "csv")]
fn lookup_csv_error(e: csv::Error) -> LookupError {
    let line = e.position().map_or(0, csv::Position::line);
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => LookupError::Io(io),
        _ => LookupError::Csv(format!("row {line}: {message}")),
    }
}

/// A lookup being read.
struct Builder {
    key_column: String,
    value_column: String,
    codes: Vec<AreaCode>,
    raw_values: Vec<u32>,
    values: Vec<String>,
    value_index: std::collections::HashMap<String, u32>,
    seen: std::collections::HashMap<AreaCode, u64>,
}

impl Builder {
    fn new(key_column: &str, value_column: &str) -> Self {
        Self {
            key_column: key_column.to_owned(),
            value_column: value_column.to_owned(),
            codes: Vec::new(),
            raw_values: Vec::new(),
            values: Vec::new(),
            value_index: std::collections::HashMap::new(),
            seen: std::collections::HashMap::new(),
        }
    }

    fn bad(&self, row: u64, column: &str, problem: String) -> LookupError {
        LookupError::Bad {
            row,
            column: column.to_owned(),
            problem,
        }
    }

    fn push(&mut self, row: u64, code: &str, value: &str) -> Result<(), LookupError> {
        let parsed = AreaCode::parse(code).map_err(|e| {
            self.bad(
                row,
                &self.key_column,
                format!("{code:?} is not an area code: {e}"),
            )
        })?;
        if value.is_empty() {
            return Err(self.bad(
                row,
                &self.value_column,
                format!("area {code} has no value; every area listed needs one"),
            ));
        }
        if value.len() > MAX_VALUE_BYTES {
            return Err(self.bad(
                row,
                &self.value_column,
                format!(
                    "the value for area {code} is {} bytes long; at most {MAX_VALUE_BYTES} are allowed (MAX_VALUE_BYTES)",
                    value.len()
                ),
            ));
        }
        if RESERVED_VALUES.contains(&value) {
            return Err(self.bad(
                row,
                &self.value_column,
                format!(
                    "{value:?} is reserved (the report's name for {}); rename it",
                    match value {
                        "all" => "everyone",
                        "other" => "areas in no Place",
                        _ => "an unknown Place",
                    }
                ),
            ));
        }
        if let Some(first) = self.seen.insert(parsed, row) {
            return Err(LookupError::Duplicate {
                row,
                code: parsed.to_string(),
                first,
            });
        }
        if self.codes.len() == MAX_LOOKUP_AREAS {
            return Err(LookupError::TooLarge {
                what: "areas",
                limit: MAX_LOOKUP_AREAS as u64,
                name: "MAX_LOOKUP_AREAS",
                why: "; England has 35,672 LSOAs",
            });
        }
        let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let v = match self.value_index.get(value) {
            Some(v) => *v,
            None => {
                if self.values.len() == MAX_LOOKUP_VALUES {
                    return Err(LookupError::TooLarge {
                        what: "distinct values",
                        limit: MAX_LOOKUP_VALUES as u64,
                        name: "MAX_LOOKUP_VALUES",
                        why: "; England has about 6,300 GP practices and 7,000 wards",
                    });
                }
                self.value_index.insert(value.to_owned(), next);
                self.values.push(value.to_owned());
                next
            }
        };
        self.codes.push(parsed);
        self.raw_values.push(v);
        Ok(())
    }

    fn finish(self) -> Result<PlaceLookup, LookupError> {
        if self.codes.is_empty() {
            return Err(LookupError::Empty);
        }
        // Values sorted, so the order of the file's rows changes nothing.
        let mut order: Vec<usize> = (0..self.values.len()).collect();
        equitas_lean::sort::sort_by(&mut order, |&a, &b| self.values[a].cmp(&self.values[b]));
        let mut rank = vec![0u16; self.values.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = u16::try_from(r).unwrap_or(u16::MAX);
        }
        let values = order.iter().map(|&i| self.values[i].clone()).collect();
        let value_of = self.raw_values.iter().map(|&v| rank[v as usize]).collect();
        let keys: Vec<u64> = self.codes.iter().map(|c| c.key()).collect();
        let hash = PerfectHash::build(&keys).map_err(|e| LookupError::Csv(e.to_string()))?;
        Ok(PlaceLookup {
            key_column: self.key_column,
            value_column: self.value_column,
            codes: self.codes,
            value_of,
            values,
            hash,
        })
    }
}

#[cfg(test)]
mod tests;
