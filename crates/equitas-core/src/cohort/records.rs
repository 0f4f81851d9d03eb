//! Streaming person-record CSV: `person_id,age,sex,ethnicity,lsoa,conditions,groups`, with
//! optional `smoking`, `events` and `imd_decile` columns; other columns are ignored.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1. Records are read one at a
//! time into a reused buffer and turned into [`CompactRecord`]s without allocating, so memory
//! does not grow with the file.

use std::io::Read;

use serde::Serialize;

use super::{
    BitSet, Classifier, ClassifyError, CohortCounts, CompactRecord, MAX_AGE, Sex, Smoking,
    compact::Deprivation,
};
use crate::deprivation::ImdDecile;

/// Columns every record file must have.
pub const REQUIRED_COLUMNS: [&str; 7] = [
    "person_id",
    "age",
    "sex",
    "ethnicity",
    "lsoa",
    "conditions",
    "groups",
];
/// Columns read when present.
pub const OPTIONAL_COLUMNS: [&str; 3] = ["smoking", "events", "imd_decile"];

/// A problem with one row: which row, which column, what value and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("row {row}, column {column:?}: {problem}")]
pub struct RowError {
    /// Spreadsheet row number (the header is row 1).
    pub row: u64,
    /// Column name.
    pub column: String,
    /// The value as read.
    pub value: String,
    /// What is wrong, naming the value.
    pub problem: String,
}

/// A record file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordsError {
    /// Required columns are missing.
    #[error(
        "record file is missing the column(s) {missing}; it needs {needed} (header was: {found})"
    )]
    MissingColumns {
        /// The missing columns, comma-separated.
        missing: String,
        /// Every required column.
        needed: String,
        /// The header as read.
        found: String,
    },
    /// A bad row when every bad row is fatal (`--strict`).
    #[error("{0}")]
    Row(RowError),
    /// The CSV could not be read.
    #[error("record file could not be read: {0}")]
    Csv(String),
}

#[derive(Debug, Clone)]
struct Columns {
    age: usize,
    sex: usize,
    ethnicity: usize,
    lsoa: usize,
    conditions: usize,
    groups: usize,
    smoking: Option<usize>,
    events: Option<usize>,
    imd_decile: Option<usize>,
    width: usize,
}

/// Reads person records one at a time.
#[derive(Debug)]
pub struct RecordReader<R: Read> {
    rdr: csv::Reader<R>,
    cols: Columns,
    rec: csv::ByteRecord,
    header: Vec<String>,
}

/// One record read: its compact form, and the area code when it was not in the index.
#[derive(Debug, Clone, Copy)]
pub struct ReadRecord<'r> {
    /// The compact record.
    pub record: CompactRecord,
    /// Row number.
    pub row: u64,
    /// The area code as written, when it is not in the index.
    pub unknown_area: Option<&'r [u8]>,
}

fn parse_age(b: &[u8]) -> Result<Option<u8>, String> {
    if b.is_empty() {
        return Ok(None);
    }
    if b.len() > 3 || !b.iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "{:?} is not a whole number of years from 0 to {MAX_AGE}",
            String::from_utf8_lossy(b)
        ));
    }
    let v = b.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
    u8::try_from(v)
        .ok()
        .filter(|a| *a <= MAX_AGE)
        .map(Some)
        .ok_or_else(|| format!("{v} is not a whole number of years from 0 to {MAX_AGE}"))
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// The set of ids in a `;`-separated field (blank entries ignored).
fn ids_of(
    field: &[u8],
    index: &dyn Fn(&[u8]) -> Result<usize, ClassifyError>,
) -> Result<BitSet, ClassifyError> {
    let mut set = BitSet::default();
    for part in field
        .split(|b| *b == b';')
        .map(trim)
        .filter(|p| !p.is_empty())
    {
        set.insert(index(part)?);
    }
    Ok(set)
}

impl<R: Read> RecordReader<R> {
    /// Start reading: checks the header.
    ///
    /// # Errors
    /// Missing required columns (all of them listed), or an unreadable header.
    pub fn new(reader: R) -> Result<Self, RecordsError> {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| RecordsError::Csv(e.to_string()))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        let find = |name: &str| header.iter().position(|h| h == name);
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .iter()
            .copied()
            .filter(|c| find(c).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(RecordsError::MissingColumns {
                missing: missing.join(", "),
                needed: REQUIRED_COLUMNS.join(","),
                found: header.join(","),
            });
        }
        let req = |name: &str| find(name).unwrap_or(0);
        let cols = Columns {
            age: req("age"),
            sex: req("sex"),
            ethnicity: req("ethnicity"),
            lsoa: req("lsoa"),
            conditions: req("conditions"),
            groups: req("groups"),
            smoking: find("smoking"),
            events: find("events"),
            imd_decile: find("imd_decile"),
            width: header.len(),
        };
        Ok(Self {
            rdr,
            cols,
            rec: csv::ByteRecord::new(),
            header,
        })
    }

    /// The header as read.
    #[must_use]
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Read the next record. `Ok(None)` at the end; `Err(Some(..))` for a bad row (reading can
    /// go on); `Err(None)` never happens.
    ///
    /// # Errors
    /// A [`RowError`] naming the row, column and value.
    pub fn next_record(
        &mut self,
        classifier: &Classifier<'_>,
    ) -> Result<Option<ReadRecord<'_>>, RowError> {
        match self.rdr.read_byte_record(&mut self.rec) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => {
                let row = e.position().map_or(0, csv::Position::line);
                return Err(RowError {
                    row,
                    column: String::new(),
                    value: String::new(),
                    problem: format!("not valid CSV: {e}"),
                });
            }
        }
        let row = self.rec.position().map_or(0, csv::Position::line);
        let cols = &self.cols;
        let rec = &self.rec;
        let header = &self.header;
        if rec.len() != cols.width {
            return Err(RowError {
                row,
                column: String::new(),
                value: String::new(),
                problem: format!("has {} fields but the header has {}", rec.len(), cols.width),
            });
        }
        let get = |i: usize| trim(rec.get(i).unwrap_or(b""));
        let err = |col: usize, problem: String| RowError {
            row,
            column: header.get(col).cloned().unwrap_or_default(),
            value: String::from_utf8_lossy(get(col)).into_owned(),
            problem,
        };
        let from_classify = |col: usize, e: ClassifyError| err(col, e.to_string());

        let mut r = CompactRecord {
            age: parse_age(get(cols.age)).map_err(|p| err(cols.age, p))?,
            ..CompactRecord::default()
        };
        let sex = get(cols.sex);
        r.sex = Sex::parse(sex).ok_or_else(|| {
            err(
                cols.sex,
                format!(
                    "{:?} is not a recorded sex (male, female, indeterminate, unknown, or NHS codes 1, 2, 9, 0)",
                    String::from_utf8_lossy(sex)
                ),
            )
        })?;
        r.ethnic = classifier
            .ethnic_index(get(cols.ethnicity))
            .map_err(|e| from_classify(cols.ethnicity, e))?;
        let ids = |col: usize, index: &dyn Fn(&[u8]) -> Result<usize, ClassifyError>| {
            ids_of(get(col), index).map_err(|e| from_classify(col, e))
        };
        r.conditions = ids(cols.conditions, &|p| classifier.condition_index(p))?;
        r.flags = ids(cols.groups, &|p| classifier.flag_index(p))?;
        if let Some(c) = cols.events {
            r.events = ids(c, &|p| classifier.event_index(p))?;
        }
        if let Some(c) = cols.smoking {
            let v = get(c);
            r.smoking = Smoking::parse(v).ok_or_else(|| {
                err(
                    c,
                    format!(
                        "{:?} is not a smoking status (current, ex, never, unknown)",
                        String::from_utf8_lossy(v)
                    ),
                )
            })?;
        }
        let decile = match cols.imd_decile {
            Some(c) if !get(c).is_empty() => {
                let v = get(c);
                let d = std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<u8>().ok())
                    .and_then(|d| ImdDecile::new(d).ok())
                    .ok_or_else(|| {
                        err(
                            c,
                            format!(
                                "{:?} is not an IMD decile from 1 to 10",
                                String::from_utf8_lossy(v)
                            ),
                        )
                    })?;
                Some(d)
            }
            _ => None,
        };
        let lsoa = get(cols.lsoa);
        r.deprivation = classifier
            .deprivation(Some(lsoa), decile)
            .map_err(|e| from_classify(cols.lsoa, e))?;
        let unknown_area = (r.deprivation == Deprivation::UnknownArea).then_some(lsoa);
        Ok(Some(ReadRecord {
            record: r,
            row,
            unknown_area,
        }))
    }
}

/// What happened while counting a record file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReadSummary {
    /// Data rows read.
    pub rows: u64,
    /// Rows counted (including those with unknown areas).
    pub counted: u64,
    /// Rows not counted because of a problem.
    pub rejected: u64,
    /// The first problems, in file order.
    pub problems: Vec<RowError>,
    /// Rows whose area code is not in the index (counted with deprivation unknown).
    pub unknown_areas: u64,
    /// The first of those, in file order.
    pub unknown_area_examples: Vec<RowError>,
}

/// How many problems of each kind a summary keeps in full.
pub const EXAMPLES_KEPT: usize = 20;

/// Count every record of a file into `counts`.
///
/// With `strict`, the first bad row stops the count with its error; otherwise bad rows are
/// counted as rejected and the first [`EXAMPLES_KEPT`] are kept. Rows with unknown area codes are
/// always counted (deprivation unknown) and reported; under `strict` they are fatal too.
///
/// # Errors
/// Under `strict`, the first bad row; a file whose header lacks required columns.
pub fn count_records<R: Read>(
    reader: R,
    classifier: &Classifier<'_>,
    counts: &mut CohortCounts,
    strict: bool,
) -> Result<ReadSummary, RecordsError> {
    let mut rdr = RecordReader::new(reader)?;
    let mut summary = ReadSummary::default();
    let lsoa_col = rdr.header()[rdr.cols.lsoa].clone();
    loop {
        match rdr.next_record(classifier) {
            Ok(None) => break,
            Ok(Some(rec)) => {
                summary.rows += 1;
                if let Some(code) = rec.unknown_area {
                    let index = classifier
                        .index()
                        .map_or_else(String::new, |i| i.edition().to_string());
                    let e = RowError {
                        row: rec.row,
                        column: lsoa_col.clone(),
                        value: String::from_utf8_lossy(code).into_owned(),
                        problem: format!(
                            "area {} is not in the {index} index (counted with deprivation unknown)",
                            String::from_utf8_lossy(code)
                        ),
                    };
                    if strict {
                        return Err(RecordsError::Row(e));
                    }
                    summary.unknown_areas += 1;
                    if summary.unknown_area_examples.len() < EXAMPLES_KEPT {
                        summary.unknown_area_examples.push(e);
                    }
                }
                let record = rec.record;
                counts.count(classifier, &record);
                summary.counted += 1;
            }
            Err(e) => {
                if strict {
                    return Err(RecordsError::Row(e));
                }
                summary.rows += 1;
                summary.rejected += 1;
                if summary.problems.len() < EXAMPLES_KEPT {
                    summary.problems.push(e);
                }
            }
        }
    }
    Ok(summary)
}
