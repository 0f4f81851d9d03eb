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
    /// Added to the CSV reader's line numbers (for blocks of a larger file).
    line_offset: u64,
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

fn read_header<R: Read>(rdr: &mut csv::Reader<R>) -> Result<Vec<String>, RecordsError> {
    Ok(rdr
        .headers()
        .map_err(|e| RecordsError::Csv(e.to_string()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect())
}

impl Columns {
    fn from_header(header: &[String]) -> Result<Self, RecordsError> {
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
        Ok(Self {
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
        })
    }
}

/// Turn one CSV record into a compact record, or say what is wrong with it.
fn parse_row<'r>(
    cols: &Columns,
    header: &[String],
    rec: &'r csv::ByteRecord,
    row: u64,
    classifier: &Classifier<'_>,
) -> Result<ReadRecord<'r>, RowError> {
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
    Ok(ReadRecord {
        record: r,
        row,
        unknown_area,
    })
}

impl<R: Read> RecordReader<R> {
    /// Start reading: checks the header.
    ///
    /// # Errors
    /// Missing required columns (all of them listed), or an unreadable header.
    pub fn new(reader: R) -> Result<Self, RecordsError> {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let header = read_header(&mut rdr)?;
        let cols = Columns::from_header(&header)?;
        Ok(Self {
            rdr,
            cols,
            rec: csv::ByteRecord::new(),
            header,
            line_offset: 0,
        })
    }

    /// Read a headerless block of a file whose header was `header`, starting at line
    /// `first_line` (1-based) of the file.
    fn block(reader: R, cols: Columns, header: Vec<String>, first_line: u64) -> Self {
        Self {
            rdr: csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(false)
                .from_reader(reader),
            cols,
            rec: csv::ByteRecord::new(),
            header,
            line_offset: first_line - 1,
        }
    }

    /// The header as read.
    #[must_use]
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Read the next record; `Ok(None)` at the end.
    ///
    /// # Errors
    /// A [`RowError`] naming the row, column and value; reading can go on after one.
    pub fn next_record(
        &mut self,
        classifier: &Classifier<'_>,
    ) -> Result<Option<ReadRecord<'_>>, RowError> {
        match self.rdr.read_byte_record(&mut self.rec) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => {
                let row = e.position().map_or(0, csv::Position::line) + self.line_offset;
                return Err(RowError {
                    row,
                    column: String::new(),
                    value: String::new(),
                    problem: format!("not valid CSV: {e}"),
                });
            }
        }
        let row = self.rec.position().map_or(0, csv::Position::line) + self.line_offset;
        parse_row(&self.cols, &self.header, &self.rec, row, classifier).map(Some)
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

impl ReadSummary {
    /// Fold another part's summary in (rows, counts, and the first problems in file order).
    pub fn merge(&mut self, other: Self) {
        self.rows += other.rows;
        self.counted += other.counted;
        self.rejected += other.rejected;
        self.unknown_areas += other.unknown_areas;
        self.problems.extend(other.problems);
        self.problems.sort_by_key(|e| e.row);
        self.problems.truncate(EXAMPLES_KEPT);
        self.unknown_area_examples
            .extend(other.unknown_area_examples);
        self.unknown_area_examples.sort_by_key(|e| e.row);
        self.unknown_area_examples.truncate(EXAMPLES_KEPT);
    }
}

/// Count every record `rdr` yields into `counts`, keeping the summary.
fn count_all<R: Read>(
    mut rdr: RecordReader<R>,
    classifier: &Classifier<'_>,
    counts: &mut CohortCounts,
    strict: bool,
) -> Result<ReadSummary, RecordsError> {
    let mut summary = ReadSummary::default();
    let lsoa_col = rdr.header.get(rdr.cols.lsoa).cloned().unwrap_or_default();
    let index = classifier
        .index()
        .map_or_else(String::new, |i| i.edition().to_string());
    loop {
        match rdr.next_record(classifier) {
            Ok(None) => break,
            Ok(Some(rec)) => {
                summary.rows += 1;
                if let Some(code) = rec.unknown_area {
                    let code = String::from_utf8_lossy(code).into_owned();
                    let e = RowError {
                        row: rec.row,
                        column: lsoa_col.clone(),
                        problem: format!(
                            "area {code} is not in the {index} index (counted with deprivation unknown)"
                        ),
                        value: code,
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
    count_all(RecordReader::new(reader)?, classifier, counts, strict)
}

/// The block size [`count_records_parallel`] is meant to be used with: 4 MiB.
pub const DEFAULT_BLOCK_BYTES: usize = 1 << 22;

/// The end of the last complete line in `buf` whose newline lies outside quotes, given whether
/// `buf` starts inside a quoted field. Quotes inside fields are doubled in CSV, so the parity of
/// the quote count tells whether a position is inside quotes.
fn split_point(buf: &[u8], starts_quoted: bool) -> Option<usize> {
    let mut quoted = starts_quoted;
    let mut last = None;
    for i in memchr::memchr2_iter(b'"', b'\n', buf) {
        if buf[i] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            last = Some(i + 1);
        }
    }
    last
}

/// The end of the first line whose newline lies outside quotes (the header's end).
fn first_line_end(buf: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for i in memchr::memchr2_iter(b'"', b'\n', buf) {
        if buf[i] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            return Some(i + 1);
        }
    }
    None
}

/// [`count_records`] on `threads` threads: the reader is cut into blocks of about `block_bytes`
/// ([`DEFAULT_BLOCK_BYTES`]) at line ends outside quoted fields, each block is counted on its
/// own, and the partial counts are merged, which is exact: the counts and the summary equal
/// [`count_records`]'s. Row numbers in problems are the file's. Memory is bounded by a few
/// blocks per thread, whatever the file's size (a file with stray unbalanced quotes may make a
/// block grow until its quotes balance). Not for `strict` counting: use [`count_records`], which
/// stops at the first problem in file order.
///
/// # Errors
/// A header lacking required columns, or a read error.
pub fn count_records_parallel<R: Read>(
    mut reader: R,
    classifier: &Classifier<'_>,
    counts: &mut CohortCounts,
    threads: usize,
    block_bytes: usize,
) -> Result<ReadSummary, RecordsError> {
    use std::sync::mpsc;

    let threads = threads.max(1);
    let block_bytes = block_bytes.max(64);
    // The header: read until its line ends.
    let mut buf: Vec<u8> = Vec::with_capacity(block_bytes);
    let header_end = loop {
        if let Some(end) = first_line_end(&buf) {
            break end;
        }
        let n = read_more(&mut reader, &mut buf, block_bytes)?;
        if n == 0 {
            // No complete header line: let the sequential reader report it.
            return count_records(buf.as_slice(), classifier, counts, false);
        }
    };
    let header = read_header(&mut csv::ReaderBuilder::new().from_reader(&buf[..header_end]))?;
    let cols = Columns::from_header(&header)?;
    let mut next_line = 1 + memchr::memchr_iter(b'\n', &buf[..header_end]).count() as u64;
    buf.drain(..header_end);

    let (tx, rx) = mpsc::sync_channel::<(Vec<u8>, u64)>(threads * 2);
    let rx = std::sync::Mutex::new(rx);
    let results = std::thread::scope(
        |scope| -> Result<Vec<(CohortCounts, ReadSummary)>, RecordsError> {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let (rx, cols, header) = (&rx, cols.clone(), header.clone());
                    scope.spawn(
                        move || -> Result<(CohortCounts, ReadSummary), RecordsError> {
                            let mut part = CohortCounts::new(classifier);
                            let mut summary = ReadSummary::default();
                            loop {
                                let job = rx
                                    .lock()
                                    .map_err(|_| RecordsError::Csv("a worker failed".into()))?
                                    .recv();
                                let Ok((block, first_line)) = job else { break };
                                let rdr = RecordReader::block(
                                    block.as_slice(),
                                    cols.clone(),
                                    header.clone(),
                                    first_line,
                                );
                                summary.merge(count_all(rdr, classifier, &mut part, false)?);
                            }
                            Ok((part, summary))
                        },
                    )
                })
                .collect();
            // Read blocks and hand them out; `quoted` tracks quote parity across block ends.
            let mut quoted = false;
            let mut eof = false;
            while !eof {
                while buf.len() < block_bytes && !eof {
                    eof = read_more(&mut reader, &mut buf, block_bytes)? == 0;
                }
                let end = if eof {
                    Some(buf.len())
                } else {
                    split_point(&buf, quoted)
                };
                let Some(end) = end.filter(|e| *e > 0) else {
                    if eof {
                        break;
                    }
                    // One record longer than a block: read more before cutting.
                    eof = read_more(&mut reader, &mut buf, block_bytes)? == 0;
                    continue;
                };
                let rest = buf.split_off(end);
                let block = std::mem::replace(&mut buf, rest);
                quoted ^= memchr::memchr_iter(b'"', &block).count() % 2 == 1;
                let lines = memchr::memchr_iter(b'\n', &block).count() as u64;
                if tx.send((block, next_line)).is_err() {
                    break;
                }
                next_line += lines;
            }
            drop(tx);
            workers
                .into_iter()
                .map(|w| {
                    w.join()
                        .map_err(|_| RecordsError::Csv("a counting thread panicked".into()))?
                })
                .collect()
        },
    )?;
    let mut summary = ReadSummary::default();
    for (part, s) in results {
        counts
            .merge(&part)
            .map_err(|e| RecordsError::Csv(e.to_string()))?;
        summary.merge(s);
    }
    Ok(summary)
}

/// Append up to `block_bytes` from `reader` to `buf`; the number of bytes read (0 at the end).
fn read_more<R: Read>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    block_bytes: usize,
) -> Result<usize, RecordsError> {
    let start = buf.len();
    buf.resize(start + block_bytes, 0);
    let result = loop {
        match reader.read(&mut buf[start..]) {
            Ok(n) => break Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => break Err(RecordsError::Csv(format!("read failed: {e}"))),
        }
    };
    let n = *result.as_ref().unwrap_or(&0);
    buf.truncate(start + n);
    result
}
