//! The ONS best-fit lookup between 2011 and 2021 LSOAs, with its change codes, read from CSV
//! (`../shared/data/geography/lsoa11_lsoa21_lad22.csv`, or the file as ONS publishes it).
//!
//! Records coded to one vintage and deprivation published on the other (IMD 2019 is on 2011
//! LSOAs, IMD 2025 on 2021 LSOAs) meet through it: see
//! [`crate::cohort::Classifier::with_bridge`], which says how each change code is used.

use std::io::Read;

use crate::deprivation::AreaCode;

/// The most rows a bridge file may have: 1,000,000 (the ONS lookup has 35,795).
pub const MAX_BRIDGE_ROWS: usize = 1_000_000;

/// The largest bridge file read, in bytes: 64 MiB (the ONS lookup is about 2 MB).
pub const MAX_BRIDGE_BYTES: u64 = 64 << 20;

/// The columns a bridge file must have (others are ignored).
pub const BRIDGE_COLUMNS: [&str; 3] = ["lsoa11_code", "lsoa21_code", "change_code"];

/// ONS's change code for a 2011 LSOA's relation to its 2021 LSOA(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Change {
    /// `U`: unchanged.
    Unchanged,
    /// `S`: a 2011 area split into several 2021 areas.
    Split,
    /// `M`: several 2011 areas merged into one 2021 area.
    Merged,
    /// `X`: an irregular or fragmented change, with no single parent.
    Irregular,
}

impl Change {
    /// Read a change code (`U`, `S`, `M` or `X`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "U" => Some(Self::Unchanged),
            "S" => Some(Self::Split),
            "M" => Some(Self::Merged),
            "X" => Some(Self::Irregular),
            _ => None,
        }
    }
}

/// The rows of a best-fit lookup: (2011 LSOA, 2021 LSOA, change).
#[derive(Debug, Clone, Default)]
pub struct Bridge {
    rows: Vec<(AreaCode, AreaCode, Change)>,
}

/// A bridge file that cannot be read: each names the row (the header is row 1), the column and
/// the value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    /// A required column is missing.
    #[error(
        "LSOA 2011-2021 lookup is missing the column(s) {missing}; it needs {needed} (header was: {found})"
    )]
    MissingColumns {
        /// The missing columns.
        missing: String,
        /// Every required column.
        needed: String,
        /// The header as read.
        found: String,
    },
    /// A bad value.
    #[error("LSOA 2011-2021 lookup row {row}, column {column:?}: {problem}")]
    Bad {
        /// The row.
        row: u64,
        /// The column.
        column: String,
        /// What is wrong, naming the value.
        problem: String,
    },
    /// A pair listed twice.
    #[error(
        "LSOA 2011-2021 lookup row {row}: the pair {lsoa11} -> {lsoa21} is listed twice (first at row {first})"
    )]
    Duplicate {
        /// The row of the repeat.
        row: u64,
        /// The 2011 LSOA.
        lsoa11: String,
        /// The 2021 LSOA.
        lsoa21: String,
        /// The row where it was first listed.
        first: u64,
    },
    /// More than a limit allows.
    #[error(
        "LSOA 2011-2021 lookup has more than {limit} {what} ({name}; the ONS lookup has 35,795 rows, about 2 MB)"
    )]
    TooLarge {
        /// What there are too many of.
        what: &'static str,
        /// The limit.
        limit: u64,
        /// The limit's name.
        name: &'static str,
    },
    /// No rows.
    #[error("LSOA 2011-2021 lookup has no rows")]
    Empty,
    /// Malformed CSV.
    #[error("LSOA 2011-2021 lookup: {0}")]
    Csv(String),
    /// A failed read.
    #[error("LSOA 2011-2021 lookup could not be read: {0}")]
    Io(#[from] std::io::Error),
    /// The bridge cannot be used as asked (no index, or an index not on LSOAs of 2011 or 2021).
    #[error("{0}")]
    Unusable(String),
}

fn bridge_csv_error(e: csv::Error) -> BridgeError {
    let line = e.position().map_or(0, csv::Position::line);
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => BridgeError::Io(io),
        _ => BridgeError::Csv(format!("row {line}: {message}")),
    }
}

impl Bridge {
    /// Read a best-fit lookup from CSV with a header naming `lsoa11_code`, `lsoa21_code` and
    /// `change_code` (other columns are ignored).
    ///
    /// ```
    /// use equitas_core::geography::{Bridge, Change};
    ///
    /// let csv = "lsoa11_code,lsoa21_code,change_code\n\
    ///            E01000001,E01000001,U\nE01000002,E01035000,S\nE01000002,E01035001,S\n";
    /// let bridge = Bridge::from_csv(csv.as_bytes())?;
    /// assert_eq!(bridge.len(), 3);
    /// assert_eq!(bridge.rows()[1].2, Change::Split);
    /// # Ok::<(), equitas_core::geography::BridgeError>(())
    /// ```
    ///
    /// # Errors
    /// A missing column, a bad area code or change code, a pair listed twice (naming both
    /// rows), more than [`MAX_BRIDGE_ROWS`] rows or [`MAX_BRIDGE_BYTES`] bytes, malformed CSV,
    /// or a failed read.
    pub fn from_csv<R: Read>(reader: R) -> Result<Self, BridgeError> {
        let mut limited = reader.take(MAX_BRIDGE_BYTES + 1);
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(&mut limited);
        let header: Vec<String> = rdr
            .headers()
            .map_err(bridge_csv_error)?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        let find = |name: &str| header.iter().position(|h| h == name);
        let missing: Vec<&str> = BRIDGE_COLUMNS
            .iter()
            .copied()
            .filter(|c| find(c).is_none())
            .collect();
        let (Some(c11), Some(c21), Some(cc)) = (
            find("lsoa11_code"),
            find("lsoa21_code"),
            find("change_code"),
        ) else {
            return Err(BridgeError::MissingColumns {
                missing: missing.join(", "),
                needed: BRIDGE_COLUMNS.join(","),
                found: header.join(","),
            });
        };
        let mut rows = Vec::new();
        let mut seen = std::collections::HashMap::new();
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    if rdr.get_ref().limit() == 0 {
                        break;
                    }
                    return Err(bridge_csv_error(e));
                }
            }
            let row = rec.position().map_or(0, csv::Position::line);
            if rdr.get_ref().limit() == 0 {
                break;
            }
            let field = |i: usize| rec.get(i).unwrap_or("").trim();
            let code = |i: usize, name: &str| {
                AreaCode::parse(field(i)).map_err(|e| BridgeError::Bad {
                    row,
                    column: name.to_owned(),
                    problem: format!("{:?} is not an area code: {e}", field(i)),
                })
            };
            let a = code(c11, "lsoa11_code")?;
            let b = code(c21, "lsoa21_code")?;
            let change = Change::parse(field(cc)).ok_or_else(|| BridgeError::Bad {
                row,
                column: "change_code".to_owned(),
                problem: format!(
                    "{:?} is not a change code; ONS's are U (unchanged), S (split), M (merged) and X (irregular)",
                    field(cc)
                ),
            })?;
            if let Some(first) = seen.insert((a, b), row) {
                return Err(BridgeError::Duplicate {
                    row,
                    lsoa11: a.to_string(),
                    lsoa21: b.to_string(),
                    first,
                });
            }
            if rows.len() == MAX_BRIDGE_ROWS {
                return Err(BridgeError::TooLarge {
                    what: "rows",
                    limit: MAX_BRIDGE_ROWS as u64,
                    name: "MAX_BRIDGE_ROWS",
                });
            }
            rows.push((a, b, change));
        }
        if rdr.get_ref().limit() == 0 {
            return Err(BridgeError::TooLarge {
                what: "bytes",
                limit: MAX_BRIDGE_BYTES,
                name: "MAX_BRIDGE_BYTES",
            });
        }
        if rows.is_empty() {
            return Err(BridgeError::Empty);
        }
        Ok(Self { rows })
    }

    /// Read a best-fit lookup from a file (see [`Self::from_csv`]).
    ///
    /// # Errors
    /// As [`Self::from_csv`], or the file cannot be opened.
    pub fn from_path(path: &std::path::Path) -> Result<Self, BridgeError> {
        let f = std::fs::File::open(path)?;
        Self::from_csv(std::io::BufReader::new(f))
    }

    /// The rows: (2011 LSOA, 2021 LSOA, change), in file order.
    #[must_use]
    pub fn rows(&self) -> &[(AreaCode, AreaCode, Change)] {
        &self.rows
    }

    /// How many rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it has no rows (never true for a lookup that was read).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
