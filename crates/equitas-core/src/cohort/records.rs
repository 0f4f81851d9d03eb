//! Streaming person-record CSV: `person_id,age,sex,ethnicity,lsoa,conditions,groups`, with
//! optional `smoking`, `events` and `imd_decile` columns; other columns are ignored.
//!
//! # One record stream
//!
//! Both ways of counting, [`count_records`] on the calling thread and [`count_records_parallel`]
//! on several, read the file through the same stream. csv-core (the parser under the `csv`
//! crate) runs on the reading thread and decides where every record ends, exactly as a CSV
//! parser does: a `"` opens a quoted field only at the start of a field (so `S"YN` is plain
//! text), a line break inside quotes belongs to the field, and `\r\n`, `\n` or a lone `\r` ends a
//! record. The reading thread gives each record its row, checks its field count and its
//! `person_id` (in file order), and puts whole records into batches; classifying and counting a
//! batch is all that is left, on this thread or a worker's. So the counts, the summary and the
//! problem list are the same for any number of threads, by construction, whatever the bytes.
//!
//! # Rows
//!
//! Rows are numbered as an editor shows the file's lines, with `\n`, `\r\n` or a lone `\r` as a
//! line end: the header is row 1, a blank line is a row, and a record is numbered by the line it
//! starts on. With no line breaks inside quoted fields, that is the row a spreadsheet shows.
//!
//! # Bad rows and what stops the count
//!
//! A bad row (a wrong field count, an empty or repeated `person_id`, an unknown id, an impossible
//! age) is not counted and is reported with its row, column and value; the count goes on, unless
//! it is strict. A row whose area code is not in the IMD index is counted with deprivation
//! unknown and reported. Two things stop any count, because nothing after them could be trusted:
//! a record longer than [`MAX_RECORD_BYTES`] (almost always a field opened with `"` and never
//! closed, which makes the rest of the file one record: carrying on would count nothing more,
//! or rows cut at guessed places), and a failed read.
//!
//! # Memory
//!
//! A few batches of [`DEFAULT_BLOCK_BYTES`] per thread, one record of at most
//! [`MAX_RECORD_BYTES`], and each worker's partial counts: not the file. The check for repeated
//! ids keeps every distinct `person_id`, exactly (not a hash): its length plus 8 bytes for its
//! first row, plus 8 to 16 bytes while the ids come in ascending order (a file sorted by id),
//! or a hash table word of 10 to 21 bytes once they do not. Measured for 1,000,000 ids of 11
//! bytes: 28 bytes each in order, 39 out of order (about 40 MB for a million people).
//!
//! # Speed
//!
//! The repeated-id check is the one cost that grows with the number of people rather than the
//! bytes: with ids in order it is a comparison with the last id; out of order it is a hash table
//! lookup that misses the processor's caches once the table is large. On 1,000,000 synthetic
//! rows it added about 10% CPU time in order and about 70% out of order (4,000,000 out of
//! order: about double); see the `cohort` benches.

mod ids;
mod stream;

use std::borrow::Cow;
use std::io::Read;
use std::sync::mpsc::{self, TrySendError};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::period::{MAX_PERIODS, PeriodCounts, PeriodScheme};
use super::{
    BitSet, Classifier, ClassifyError, CohortCounts, CompactRecord, MAX_AGE, MergeError, Sex,
    Smoking, compact::Deprivation,
};
use crate::deprivation::ImdDecile;
pub use ids::MAX_PERSON_ID_BYTES;
use ids::PersonIds;
use stream::{Batch, Fields, Stream};

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
pub const OPTIONAL_COLUMNS: [&str; 5] = ["smoking", "events", "imd_decile", "date", "period"];

/// The longest record accepted, in bytes as written in the file (1 MiB): the header or any row.
///
/// A person's record is a few hundred bytes at most. A longer one almost always means a field
/// opened with `"` and never closed, which makes the rest of the file one record; it stops the
/// count ([`RecordsError::RecordTooLong`]), naming the row where the record starts. The limit is
/// fixed; it also bounds the memory one record can take.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// The block size [`count_records_parallel`] is meant to be used with (256 KiB): about how many
/// bytes of records are handed to a worker at a time.
pub const DEFAULT_BLOCK_BYTES: usize = 1 << 18;

/// How much is read from the file at a time, at most.
const INPUT_BYTES: usize = 1 << 16;

/// How many bytes of records [`count_records`] reads before classifying them.
const SEQUENTIAL_BLOCK_BYTES: usize = 1 << 16;

/// How many distinct values of the period column a count remembers the period of (4,096: eleven
/// years of daily dates): memory of at most a few hundred KB; values past it are read again each
/// time, which gives the same period.
const PERIOD_CACHE_ENTRIES: usize = 4096;

/// How many problems of each kind a summary keeps in full.
pub const EXAMPLES_KEPT: usize = 20;

/// A problem with one row: which row, which column, what value and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("row {row}, column {column:?}: {problem}")]
pub struct RowError {
    /// Row number, as an editor numbers the file's lines (the header is row 1).
    pub row: u64,
    /// Column name.
    pub column: String,
    /// The value as read.
    pub value: String,
    /// What is wrong, naming the value.
    pub problem: String,
}

/// A record file that cannot be read, or a count that had to stop.
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
    /// Counting by period, but the header lacks the column the scheme reads.
    #[error(
        "record file has no {column} column, which --period-by {scheme} reads (header was: {found})"
    )]
    MissingPeriodColumn {
        /// The column needed (`date` or `period`).
        column: &'static str,
        /// The scheme's name.
        scheme: &'static str,
        /// The header as read.
        found: String,
    },
    /// A bad row when every bad row is fatal (`--strict`).
    #[error("{0}")]
    Row(RowError),
    /// A record longer than [`MAX_RECORD_BYTES`]: nothing after it can be read reliably.
    #[error(
        "row {row}: the record that starts here is longer than {limit} bytes, the most one record may be (a fixed limit); this is almost always a field opened with a quote (\") that is never closed, which runs on to the end of the file, so nothing after this row can be read reliably and the count stops"
    )]
    RecordTooLong {
        /// The row where the record starts.
        row: u64,
        /// The limit, in bytes.
        limit: usize,
    },
    /// Reading the file failed part-way.
    #[error("record file could not be read at row {row}: {source}")]
    Read {
        /// The row being read when it failed.
        row: u64,
        /// What failed.
        source: std::io::Error,
    },
    /// Counting on several threads failed (a thread could not start, or stopped).
    #[error("counting on {threads} threads failed: {problem}")]
    Threads {
        /// How many threads were asked for.
        threads: usize,
        /// What went wrong.
        problem: String,
    },
}

#[derive(Debug, Clone)]
struct Columns {
    person_id: usize,
    age: usize,
    sex: usize,
    ethnicity: usize,
    lsoa: usize,
    conditions: usize,
    groups: usize,
    smoking: Option<usize>,
    events: Option<usize>,
    imd_decile: Option<usize>,
    /// The column the period scheme reads, when counting by period.
    period: Option<usize>,
    width: usize,
}

/// One record read: its compact form, and the area code when it was not in the index.
#[derive(Debug, Clone, Copy)]
struct ReadRecord<'r> {
    record: CompactRecord,
    unknown_area: Option<&'r [u8]>,
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

impl Columns {
    fn from_header(header: &[String], scheme: Option<PeriodScheme>) -> Result<Self, RecordsError> {
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
        let period = match scheme {
            Some(s) => Some(
                find(s.column()).ok_or_else(|| RecordsError::MissingPeriodColumn {
                    column: s.column(),
                    scheme: s.id(),
                    found: header.join(","),
                })?,
            ),
            None => None,
        };
        let req = |name: &str| find(name).unwrap_or(0);
        Ok(Self {
            person_id: req("person_id"),
            age: req("age"),
            sex: req("sex"),
            ethnicity: req("ethnicity"),
            lsoa: req("lsoa"),
            conditions: req("conditions"),
            groups: req("groups"),
            smoking: find("smoking"),
            events: find("events"),
            imd_decile: find("imd_decile"),
            period,
            width: header.len(),
        })
    }
}

/// Turn one CSV record into a compact record, or say what is wrong with it.
///
/// The field count and the `person_id` are checked before, while reading ([`Reader::check`]).
fn parse_row<'r>(
    cols: &Columns,
    header: &[String],
    rec: Fields<'r>,
    row: u64,
    classifier: &Classifier<'_>,
) -> Result<ReadRecord<'r>, RowError> {
    let get = |i: usize| trim(rec.get(i));
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
    let resolved = classifier
        .resolve_area(Some(lsoa), decile)
        .map_err(|e| from_classify(cols.lsoa, e))?;
    (r.deprivation, r.area, r.place, r.bridge) = (
        resolved.deprivation,
        resolved.area,
        resolved.place,
        resolved.bridge,
    );
    let unknown_area = (r.deprivation == Deprivation::UnknownArea).then_some(lsoa);
    Ok(ReadRecord {
        record: r,
        unknown_area,
    })
}

/// The header and where the columns are.
#[derive(Debug)]
struct Layout {
    header: Vec<String>,
    cols: Columns,
}

/// The reading side of a count: the record stream and the checks made in file order (the field
/// count, and the `person_id`: empty, too long, or repeated).
#[derive(Debug)]
struct Reader<R> {
    stream: Stream<R>,
    cols: Columns,
    id_column: String,
    /// The ids seen, one set per period (one set when the count has no periods): a person may
    /// appear once in each period.
    ids: Vec<PersonIds>,
    /// How records' periods are found, when counting by period.
    scheme: Option<PeriodScheme>,
    /// The periods seen, in the order first seen (a record's [`Span::period`] indexes it).
    periods: Vec<String>,
    /// The period of each value of the period column read so far (at most
    /// [`PERIOD_CACHE_ENTRIES`]), so a date seen before costs one hash lookup, not a parse and
    /// an allocation.
    period_cache: hashbrown::HashMap<Box<[u8]>, u16>,
    /// What stopped the reading, returned once the records before it are counted.
    failed: Option<RecordsError>,
}

impl<R: Read> Reader<R> {
    /// Start reading `reader`, `input_bytes` at a time: reads and checks the header.
    fn new(
        reader: R,
        input_bytes: usize,
        scheme: Option<PeriodScheme>,
    ) -> Result<(Self, Layout), RecordsError> {
        let mut stream = Stream::new(reader, input_bytes, MAX_RECORD_BYTES);
        let mut first = Batch::default();
        stream.next_record(&mut first)?;
        let header: Vec<String> = first.spans.first().map_or_else(Vec::new, |span| {
            let fields = first.fields(span);
            (0..fields.len())
                .map(|i| {
                    String::from_utf8_lossy(fields.get(i))
                        .trim()
                        .trim_start_matches('\u{feff}')
                        .to_owned()
                })
                .collect()
        });
        let cols = Columns::from_header(&header, scheme)?;
        let reader = Self {
            stream,
            cols: cols.clone(),
            id_column: header.get(cols.person_id).cloned().unwrap_or_default(),
            ids: vec![PersonIds::default()],
            scheme,
            periods: Vec::new(),
            period_cache: hashbrown::HashMap::new(),
            failed: None,
        };
        Ok((reader, Layout { header, cols }))
    }

    /// Read records into `batch` until it holds about `block_bytes`. False when there are no
    /// more: the file has ended, or reading stopped (see [`Reader::finish`]).
    fn fill(&mut self, batch: &mut Batch, block_bytes: usize) -> bool {
        while batch.weight() < block_bytes {
            match self.stream.next_record(batch) {
                Ok(Some(last_row)) => self.check(batch, last_row),
                Ok(None) => return false,
                Err(e) => {
                    self.failed = Some(e);
                    return false;
                }
            }
        }
        true
    }

    /// Check the record just read into `batch` (whose last line is `last_row`) for what must be
    /// checked in file order, marking it with the problem if there is one.
    fn check(&mut self, batch: &mut Batch, last_row: u64) {
        let Some(span) = batch.spans.last() else {
            return;
        };
        let row = span.row;
        let fields = batch.fields(span);
        let mut period = 0;
        let problem = if fields.len() == self.cols.width {
            match self.period(fields, row) {
                Ok(p) => {
                    period = p;
                    self.check_id(trim(fields.get(self.cols.person_id)), row, p)
                }
                Err(e) => Some(e),
            }
        } else {
            let mut problem = format!(
                "has {} fields but the header has {}",
                fields.len(),
                self.cols.width
            );
            if last_row > row {
                problem.push_str(&format!(
                    "; a quoted field makes it run on to row {last_row}, so a quote may be left open"
                ));
            }
            Some(RowError {
                row,
                column: String::new(),
                value: String::new(),
                problem,
            })
        };
        if let Some(span) = batch.spans.last_mut() {
            span.problem = problem.map(Box::new);
            span.period = period;
        }
    }

    /// The period of the record with `fields` at `row` (its index among the periods seen; 0
    /// when the count has no periods), or what is wrong with it: a value the scheme cannot
    /// read, or a period beyond the first [`MAX_PERIODS`].
    fn period(&mut self, fields: Fields<'_>, row: u64) -> Result<u16, RowError> {
        let (Some(scheme), Some(col)) = (self.scheme, self.cols.period) else {
            return Ok(0);
        };
        let value = trim(fields.get(col));
        if let Some(&i) = self.period_cache.get(value) {
            return Ok(i);
        }
        let problem = |problem: String| RowError {
            row,
            column: scheme.column().to_owned(),
            value: String::from_utf8_lossy(value).into_owned(),
            problem,
        };
        let label = scheme.period_of(value).map_err(problem)?;
        let i = match self.periods.iter().position(|p| *p == label) {
            Some(i) => i,
            None if self.periods.len() < MAX_PERIODS => {
                self.periods.push(label);
                self.ids.push(PersonIds::default());
                self.periods.len() - 1
            }
            None => {
                return Err(problem(format!(
                    "period {label} would be period {} of the file; a count may hold at most {MAX_PERIODS} periods (MAX_PERIODS, a fixed limit), so the row is not counted",
                    MAX_PERIODS + 1
                )));
            }
        };
        // At most MAX_PERIODS (64) periods.
        let i = u16::try_from(i).unwrap_or(u16::MAX);
        if self.period_cache.len() < PERIOD_CACHE_ENTRIES {
            self.period_cache.insert(value.into(), i);
        }
        Ok(i)
    }

    /// The problem with `id`, the `person_id` of the record at `row`, if it has one; a new id is
    /// remembered.
    fn check_id(&mut self, id: &[u8], row: u64, period: u16) -> Option<RowError> {
        let problem = |value: String, problem: String| RowError {
            row,
            column: self.id_column.clone(),
            value,
            problem,
        };
        if id.is_empty() {
            return Some(problem(
                String::new(),
                "person_id is empty; every person needs an id".to_owned(),
            ));
        }
        if id.len() > MAX_PERSON_ID_BYTES {
            let start = id.get(..40).unwrap_or(id);
            return Some(problem(
                format!("{}…", String::from_utf8_lossy(start)),
                format!(
                    "person_id is {} bytes long; an id may be at most {MAX_PERSON_ID_BYTES} bytes (a fixed limit)",
                    id.len()
                ),
            ));
        }
        let ids = self.ids.get_mut(usize::from(period))?;
        let first = ids.first_row_or_insert(id, row)?;
        let id = String::from_utf8_lossy(id).into_owned();
        let once = match self.periods.get(usize::from(period)) {
            Some(p) if self.scheme.is_some() => format!("only once in each period (this is {p})"),
            _ => "only once".to_owned(),
        };
        Some(problem(
            id.clone(),
            format!(
                "person_id {id:?} is repeated: it was first used at row {first}, and each person may appear {once}"
            ),
        ))
    }

    /// What stopped the reading, if anything did; otherwise the periods seen, in the order
    /// first seen.
    fn finish(self) -> Result<Vec<String>, RecordsError> {
        self.failed.map_or(Ok(self.periods), Err)
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

/// The classifying side of a count, shared by every thread: turns a batch of records into counts
/// and a summary.
#[derive(Debug)]
struct Counter<'a, 'c> {
    classifier: &'a Classifier<'c>,
    layout: &'a Layout,
    /// The area column's name, for unknown-area reports.
    lsoa_column: String,
    /// The IMD index's edition, for unknown-area reports.
    index: String,
    strict: bool,
}

impl<'a, 'c> Counter<'a, 'c> {
    fn new(classifier: &'a Classifier<'c>, layout: &'a Layout, strict: bool) -> Self {
        Self {
            classifier,
            layout,
            lsoa_column: layout
                .header
                .get(layout.cols.lsoa)
                .cloned()
                .unwrap_or_default(),
            index: classifier
                .index()
                .map_or_else(String::new, |i| i.edition().to_string()),
            strict,
        }
    }

    /// Count every record of `batch` into `counts`, keeping `summary`.
    ///
    /// # Errors
    /// When strict, the first bad row or unknown area.
    ///
    /// Not generic over the [`Sink`]: one copy of the loop, which the compiler inlines into as
    /// it did before counts had periods (two copies cost 3.7% more instructions per row).
    fn count(
        &self,
        batch: &Batch,
        mut counts: Target<'_>,
        summary: &mut ReadSummary,
    ) -> Result<(), RecordsError> {
        for span in &batch.spans {
            summary.rows += 1;
            if let Some(problem) = &span.problem {
                self.reject(Cow::Borrowed(problem), summary)?;
                continue;
            }
            let Layout { header, cols } = self.layout;
            match parse_row(cols, header, batch.fields(span), span.row, self.classifier) {
                Ok(rec) => {
                    if let Some(code) = rec.unknown_area {
                        self.unknown_area(code, rec.record.bridge, span.row, summary)?;
                    }
                    let c = match &mut counts {
                        Target::One(c) => &mut **c,
                        Target::ByPeriod(v) => period_counts(v, span.period, self.classifier),
                    };
                    c.count(self.classifier, &rec.record);
                    summary.counted += 1;
                }
                Err(e) => self.reject(Cow::Owned(e), summary)?,
            }
        }
        Ok(())
    }

    /// A bad row: fatal when strict, else not counted and kept among the first problems.
    fn reject(&self, e: Cow<'_, RowError>, summary: &mut ReadSummary) -> Result<(), RecordsError> {
        if self.strict {
            return Err(RecordsError::Row(e.into_owned()));
        }
        summary.rejected += 1;
        if summary.problems.len() < EXAMPLES_KEPT {
            summary.problems.push(e.into_owned());
        }
        Ok(())
    }

    /// A row whose area is not in the index: fatal when strict, else counted (by the caller) with
    /// deprivation unknown and kept among the first examples.
    fn unknown_area(
        &self,
        code: &[u8],
        bridge: u8,
        row: u64,
        summary: &mut ReadSummary,
    ) -> Result<(), RecordsError> {
        summary.unknown_areas += 1;
        if !self.strict && summary.unknown_area_examples.len() >= EXAMPLES_KEPT {
            return Ok(());
        }
        let code = String::from_utf8_lossy(code).into_owned();
        let index = &self.index;
        let bridged = self
            .classifier
            .bridged_from()
            .map(|from| (from, super::BridgeRule::from_index(bridge).describe()));
        let problem = if let Some((from, rule)) = bridged {
            let strict = if self.strict {
                "; a strict count stops here"
            } else {
                ""
            };
            format!("area {code} (an LSOA of {from}, bridged to the {index} index): {rule}{strict}")
        } else if self.strict {
            format!(
                "area {code} is not in the {index} index; a strict count stops here (without strict, the row would be counted with deprivation unknown)"
            )
        } else {
            format!("area {code} is not in the {index} index (counted with deprivation unknown)")
        };
        let e = RowError {
            row,
            column: self.lsoa_column.clone(),
            value: code,
            problem,
        };
        if self.strict {
            return Err(RecordsError::Row(e));
        }
        summary.unknown_area_examples.push(e);
        Ok(())
    }
}

/// Count every record of a file into `counts`, on the calling thread.
///
/// With `strict`, the first bad row or unknown area stops the count with its error; otherwise
/// bad rows are counted as rejected and the first [`EXAMPLES_KEPT`] are kept, and rows with
/// unknown area codes are counted (deprivation unknown) and reported. The counts and the summary
/// are the same as [`count_records_parallel`]'s on any number of threads.
///
/// ```
/// use equitas_core::cohort::records::count_records;
/// use equitas_core::cohort::{Classifier, CohortCounts, CohortDefinition, ambitions};
///
/// let classifier = Classifier::new(CohortDefinition::national(), None)?;
/// let csv = "\
/// person_id,age,sex,ethnicity,lsoa,conditions,groups,smoking,events,imd_decile
/// p1,45,female,A,,smi,,current,smi_health_check,1
/// p2,52,male,H,,smi,,never,,7
/// p3,30,female,,,,,never,,2
/// p4,200,male,A,,,,,,3
/// ";
/// let mut counts = CohortCounts::new(&classifier);
/// let summary = count_records(csv.as_bytes(), &classifier, &mut counts, false)?;
/// assert_eq!((summary.rows, summary.counted, summary.rejected), (4, 3, 1));
/// // The bad row is reported with its row (the header is row 1), column and value.
/// assert_eq!(summary.problems[0].row, 5);
/// assert_eq!(summary.problems[0].column, "age");
/// assert_eq!(summary.problems[0].value, "200");
/// assert_eq!(counts.people(), 3);
/// assert_eq!(counts.core20_people(), 2);
/// let smi = ambitions(&counts, classifier.catalogue())
///     .into_iter()
///     .find(|a| a.metric == "smi_health_check")
///     .unwrap();
/// assert_eq!((smi.overall.numerator, smi.overall.denominator), (1, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// A header lacking required columns; a record longer than [`MAX_RECORD_BYTES`]; a failed read;
/// under `strict`, the first bad row. After an error `counts` holds part of the file: discard it.
pub fn count_records<R: Read>(
    reader: R,
    classifier: &Classifier<'_>,
    counts: &mut CohortCounts,
    strict: bool,
) -> Result<ReadSummary, RecordsError> {
    count_into(reader, classifier, counts, strict, None).map(|(summary, _)| summary)
}

/// Count every record of a file by period: each record's period is found by `scheme` (see
/// [`super::period`]), and each period's records are counted apart. A person may appear once
/// in each period. Otherwise as [`count_records`]; a record whose period cannot be read is a bad
/// row naming its row, column and value.
///
/// ```
/// use equitas_core::cohort::period::PeriodScheme;
/// use equitas_core::cohort::records::count_records_by_period;
/// use equitas_core::cohort::{Classifier, CohortDefinition};
///
/// let classifier = Classifier::new(CohortDefinition::national(), None)?;
/// let csv = "\
/// person_id,age,sex,ethnicity,lsoa,conditions,groups,imd_decile,date
/// p1,45,female,A,,,,1,2024-03-31
/// p1,46,female,A,,,,1,2024-04-01
/// p2,52,male,H,,,,7,2024-05-01
/// p3,30,female,,,,,2,2024-13-01
/// ";
/// let (counts, summary) =
///     count_records_by_period(csv.as_bytes(), &classifier, PeriodScheme::FinancialYear, false)?;
/// let people: Vec<(&str, u64)> = counts.periods().map(|(p, c)| (p, c.people())).collect();
/// assert_eq!(people, [("2023/24", 1), ("2024/25", 2)]);
/// assert_eq!(summary.problems[0].column, "date");
/// assert_eq!(summary.problems[0].value, "2024-13-01");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`count_records`], and a header without the column `scheme` reads.
pub fn count_records_by_period<R: Read>(
    reader: R,
    classifier: &Classifier<'_>,
    scheme: PeriodScheme,
    strict: bool,
) -> Result<(PeriodCounts, ReadSummary), RecordsError> {
    let mut parts: Vec<CohortCounts> = Vec::new();
    let (summary, labels) = count_into(reader, classifier, &mut parts, strict, Some(scheme))?;
    Ok((
        PeriodCounts::from_parts(scheme, labels, parts, classifier),
        summary,
    ))
}

/// [`count_records_by_period`] on `threads` threads, as [`count_records_parallel`] counts: the
/// same counts and summary for any number of threads.
///
/// # Errors
/// As [`count_records_parallel`], and a header without the column `scheme` reads.
pub fn count_records_by_period_parallel<R: Read>(
    reader: R,
    classifier: &Classifier<'_>,
    scheme: PeriodScheme,
    threads: usize,
    block_bytes: usize,
) -> Result<(PeriodCounts, ReadSummary), RecordsError> {
    let mut parts: Vec<CohortCounts> = Vec::new();
    let (summary, labels) = parallel_into(
        reader,
        classifier,
        &mut parts,
        threads,
        block_bytes,
        Some(scheme),
    )?;
    Ok((
        PeriodCounts::from_parts(scheme, labels, parts, classifier),
        summary,
    ))
}

/// The counts of the period with index `period` in `v`, made (empty) when new.
fn period_counts<'v>(
    v: &'v mut Vec<CohortCounts>,
    period: u16,
    classifier: &Classifier<'_>,
) -> &'v mut CohortCounts {
    let i = usize::from(period);
    while v.len() <= i {
        v.push(CohortCounts::new(classifier));
    }
    &mut v[i]
}

/// Where [`Counter::count`] puts each record.
enum Target<'a> {
    /// All in one set of counts.
    One(&'a mut CohortCounts),
    /// In the counts of the record's period.
    ByPeriod(&'a mut Vec<CohortCounts>),
}

/// Where a count puts each record: one set of counts, or one per period.
trait Sink: Send + Sized {
    /// As a [`Target`] for [`Counter::count`].
    fn target(&mut self) -> Target<'_>;
    /// Empty counts.
    fn fresh(classifier: &Classifier<'_>) -> Self;
    /// Add `other` in, period by period.
    fn absorb(&mut self, other: &Self) -> Result<(), MergeError>;
}

impl Sink for CohortCounts {
    fn target(&mut self) -> Target<'_> {
        Target::One(self)
    }
    fn fresh(classifier: &Classifier<'_>) -> Self {
        Self::new(classifier)
    }
    fn absorb(&mut self, other: &Self) -> Result<(), MergeError> {
        self.merge(other)
    }
}

impl Sink for Vec<CohortCounts> {
    fn target(&mut self) -> Target<'_> {
        Target::ByPeriod(self)
    }
    fn fresh(_: &Classifier<'_>) -> Self {
        Self::new()
    }
    fn absorb(&mut self, other: &Self) -> Result<(), MergeError> {
        for (i, part) in other.iter().enumerate() {
            match self.get_mut(i) {
                Some(mine) => mine.merge(part)?,
                None => self.push(part.clone()),
            }
        }
        Ok(())
    }
}

/// [`count_records`] into any [`Sink`], by `scheme`'s periods when given; the summary and the
/// periods seen.
fn count_into<R: Read, S: Sink>(
    reader: R,
    classifier: &Classifier<'_>,
    counts: &mut S,
    strict: bool,
    scheme: Option<PeriodScheme>,
) -> Result<(ReadSummary, Vec<String>), RecordsError> {
    let (mut reader, layout) = Reader::new(reader, INPUT_BYTES, scheme)?;
    let counter = Counter::new(classifier, &layout, strict);
    let mut summary = ReadSummary::default();
    let mut batch = Batch::default();
    loop {
        let more = reader.fill(&mut batch, SEQUENTIAL_BLOCK_BYTES);
        counter.count(&batch, counts.target(), &mut summary)?;
        batch.clear();
        if !more {
            break;
        }
    }
    let periods = reader.finish()?;
    Ok((summary, periods))
}

/// [`count_records`] on `threads` threads. This thread reads the file (the same record stream as
/// [`count_records`]: the same records, rows and `person_id` checks, in file order) and hands
/// batches of whole records, about `block_bytes` ([`DEFAULT_BLOCK_BYTES`]) each, to `threads - 1`
/// workers, which classify and count them; when every worker is busy it counts the batch itself.
/// The partial counts are merged, which is exact. So the counts and the summary equal
/// [`count_records`]'s, for every input. Memory is a few batches per
/// thread and the `person_id`s, whatever the file's size. Not for `strict` counting: use
/// [`count_records`], which stops at the first problem in file order.
///
/// # Errors
/// A header lacking required columns; a record longer than [`MAX_RECORD_BYTES`]; a failed read;
/// a thread that could not start. After an error `counts` may hold part of the file: discard it.
pub fn count_records_parallel<R: Read>(
    reader: R,
    classifier: &Classifier<'_>,
    counts: &mut CohortCounts,
    threads: usize,
    block_bytes: usize,
) -> Result<ReadSummary, RecordsError> {
    parallel_into(reader, classifier, counts, threads, block_bytes, None).map(|(s, _)| s)
}

/// [`count_records_parallel`] into any [`Sink`], by `scheme`'s periods when given; the summary
/// and the periods seen.
fn parallel_into<R: Read, S: Sink>(
    reader: R,
    classifier: &Classifier<'_>,
    counts: &mut S,
    threads: usize,
    block_bytes: usize,
    scheme: Option<PeriodScheme>,
) -> Result<(ReadSummary, Vec<String>), RecordsError> {
    let threads = threads.max(1);
    let block_bytes = block_bytes.max(1);
    let (mut reader, layout) = Reader::new(reader, block_bytes.min(INPUT_BYTES), scheme)?;
    let counter = Counter::new(classifier, &layout, false);
    let parts = std::thread::scope(|scope| -> Result<Vec<Part<S>>, RecordsError> {
        let (jobs, job_queue) = mpsc::sync_channel::<Batch>(threads * 2);
        let (free, free_queue) = mpsc::channel::<Batch>();
        // Only the workers hold the queue: if every one of them stops, sending fails.
        let job_queue = Arc::new(Mutex::new(job_queue));
        // This thread reads, and counts too whenever every worker is busy: `threads` in all.
        let workers = spawn_workers(scope, threads, &job_queue, &free, &counter)?;
        drop(job_queue);
        drop(free);
        let own = read_and_hand_out(&mut reader, &counter, &jobs, &free_queue, block_bytes)?;
        drop(jobs);
        join_workers(threads, workers, own)
    });
    let periods = reader.finish()?;
    let mut summary = ReadSummary::default();
    for (part, s) in parts?.into_iter().flatten() {
        counts
            .absorb(&part)
            .map_err(|e| thread_error(threads, e.to_string()))?;
        summary.merge(s);
    }
    Ok((summary, periods))
}

/// What one thread of [`count_records_parallel`] counted: nothing until its first batch.
type Part<S> = Option<(S, ReadSummary)>;

/// A worker's thread, which gives back what it counted.
type Worker<'scope, S> = std::thread::ScopedJoinHandle<'scope, Result<Part<S>, RecordsError>>;

/// [`RecordsError::Threads`] for a count on `threads` threads.
fn thread_error(threads: usize, problem: String) -> RecordsError {
    RecordsError::Threads { threads, problem }
}

/// Starts `threads - 1` workers, each counting batches from `job_queue` ([`work`]) and sending
/// them back on `free`.
///
/// # Errors
/// A thread that could not start (the workers already started stop when the job queue's
/// sender is dropped, and the scope joins them).
fn spawn_workers<'scope, 'env, S: Sink + 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    threads: usize,
    job_queue: &Arc<Mutex<mpsc::Receiver<Batch>>>,
    free: &mpsc::Sender<Batch>,
    counter: &'scope Counter<'_, '_>,
) -> Result<Vec<Worker<'scope, S>>, RecordsError> {
    let mut workers = Vec::with_capacity(threads - 1);
    for i in 1..threads {
        let (job_queue, free) = (Arc::clone(job_queue), free.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("equitas-count-{i}"))
            .spawn_scoped(scope, move || work(&job_queue, &free, counter));
        match spawned {
            Ok(w) => workers.push(w),
            Err(e) => {
                return Err(thread_error(
                    threads,
                    format!("thread {} could not start: {e}", i + 1),
                ));
            }
        }
    }
    Ok(workers)
}

/// A worker: counts each batch it takes from `job_queue` and sends the emptied batch back on
/// `free`, until the queue closes.
///
/// # Errors
/// From [`Counter::count`] (none: a parallel count is never strict).
fn work<S: Sink>(
    job_queue: &Mutex<mpsc::Receiver<Batch>>,
    free: &mpsc::Sender<Batch>,
    counter: &Counter<'_, '_>,
) -> Result<Part<S>, RecordsError> {
    // Made with the first batch: a thread that gets none costs only its stack.
    let mut part: Part<S> = None;
    loop {
        let job = match job_queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => break,
        };
        let Ok(mut batch) = job else { break };
        let (counts, summary) =
            part.get_or_insert_with(|| (S::fresh(counter.classifier), ReadSummary::default()));
        counter.count(&batch, counts.target(), summary)?;
        batch.clear();
        // The reader keeps it for the next records (unless it has finished).
        free.send(batch).ok();
    }
    Ok(part)
}

/// The reading thread: fills batches of about `block_bytes` (reusing those the workers send
/// back on `free_queue`) and hands each to a worker on `jobs`; when every worker is busy (or
/// there are none), counts it itself. Gives back what it counted.
///
/// # Errors
/// From [`Counter::count`] (none: a parallel count is never strict). A failed read is kept by
/// the reader for [`Reader::finish`].
fn read_and_hand_out<R: Read, S: Sink>(
    reader: &mut Reader<R>,
    counter: &Counter<'_, '_>,
    jobs: &mpsc::SyncSender<Batch>,
    free_queue: &mpsc::Receiver<Batch>,
    block_bytes: usize,
) -> Result<Part<S>, RecordsError> {
    let mut own: Part<S> = None;
    let mut spare: Option<Batch> = None;
    loop {
        let mut batch = spare
            .take()
            .or_else(|| free_queue.try_recv().ok())
            .unwrap_or_default();
        let more = reader.fill(&mut batch, block_bytes);
        if !batch.spans.is_empty() {
            // To a worker; when all are busy (or there are none), counted here.
            if let Err(TrySendError::Full(mut batch) | TrySendError::Disconnected(mut batch)) =
                jobs.try_send(batch)
            {
                let (counts, summary) = own
                    .get_or_insert_with(|| (S::fresh(counter.classifier), ReadSummary::default()));
                counter.count(&batch, counts.target(), summary)?;
                batch.clear();
                spare = Some(batch);
            }
        }
        if !more {
            break;
        }
    }
    Ok(own)
}

/// Every worker joined (before any result is looked at), then the reading thread's part and
/// each worker's, in that order.
///
/// # Errors
/// A worker that panicked, or a worker's error.
fn join_workers<S: Sink>(
    threads: usize,
    workers: Vec<Worker<'_, S>>,
    own: Part<S>,
) -> Result<Vec<Part<S>>, RecordsError> {
    let joined: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
    let mut parts = vec![own];
    for result in joined {
        let part = result.map_err(|_| {
            thread_error(threads, "a counting thread stopped unexpectedly".into())
        })??;
        parts.push(part);
    }
    Ok(parts)
}
