//! Cutting a CSV file into records, exactly as a CSV parser does, and numbering their rows.
//!
//! [`Stream`] drives csv-core (the parser under the `csv` crate, with the same settings: comma,
//! `"` quotes that are doubled inside a quoted field, no escapes, no comments). It decides where
//! every record ends: a `"` opens a quoted field only at the very start of a field (`S"YN` is
//! four plain bytes), a line break inside a quoted field belongs to the field, `\r\n`, `\n` and a
//! lone `\r` each end a record, and blank lines are skipped. The fields of each record are
//! copied into a [`Batch`]; nothing else in the reader splits the file, so every way of counting
//! sees the same records with the same row numbers.
//!
//! Rows are the file's lines as an editor shows them, counting `\n`, `\r\n` and a lone `\r` as
//! one line end each; a record's row is the line its first byte is on (the header is usually row
//! 1). Without line breaks inside quoted fields this is also the row a spreadsheet shows.

use std::io::Read;

use csv_core::ReadRecordResult;

use super::RecordsError;

/// The UTF-8 byte order mark; csv-core drops it at the very start of a file.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// How many bytes csv-core is first given (unless the file is shorter): a whole BOM and one
/// byte more. It drops a BOM only if all of it comes in its first input, and input that is empty
/// once the BOM is gone would read as the end of the file.
const FIRST_READ: usize = BOM.len() + 1;

/// Records read and waiting to be classified: their fields, back to back, and where each is.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// Field bytes; the first `used` are filled (the rest is room for csv-core to write into).
    bytes: Vec<u8>,
    used: usize,
    /// Where each field ends, relative to the start of its record's bytes.
    ends: Vec<u32>,
    /// One per record, in file order.
    pub(super) spans: Vec<Span>,
}

/// One record of a [`Batch`].
#[derive(Debug)]
pub(super) struct Span {
    /// The row (line) its first byte is on.
    pub(super) row: u64,
    /// Where its bytes start in the batch.
    start: usize,
    /// Where its field ends start in the batch.
    first_end: usize,
    /// How many fields it has.
    fields: usize,
    /// A problem found while reading it (a wrong field count, a bad or repeated `person_id`):
    /// such a record is reported, never classified.
    pub(super) problem: Option<Box<super::RowError>>,
    /// The record's period: its index among the periods in the order first seen (0 when the
    /// count has no periods).
    pub(super) period: u16,
}

/// The fields of one record.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields<'a> {
    bytes: &'a [u8],
    ends: &'a [u32],
}

impl<'a> Fields<'a> {
    /// How many fields.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`, as written (quotes removed); empty past the last field.
    pub(super) fn get(&self, i: usize) -> &'a [u8] {
        let end = self.ends.get(i).map_or(0, |e| *e as usize);
        let start = match i.checked_sub(1) {
            Some(j) => self.ends.get(j).map_or(0, |e| *e as usize),
            None => 0,
        };
        self.bytes.get(start..end).unwrap_or_default()
    }
}

impl Batch {
    /// The fields of `span`, a record of this batch.
    pub(super) fn fields(&self, span: &Span) -> Fields<'_> {
        Fields {
            bytes: self.bytes.get(span.start..self.used).unwrap_or_default(),
            ends: self
                .ends
                .get(span.first_end..span.first_end + span.fields)
                .unwrap_or_default(),
        }
    }

    /// About how many bytes the records in this batch take.
    pub(super) fn weight(&self) -> usize {
        self.used
            + self.ends.len() * std::mem::size_of::<u32>()
            + self.spans.len() * std::mem::size_of::<Span>()
    }

    /// Empty it, keeping its memory for the next records.
    pub(super) fn clear(&mut self) {
        self.used = 0;
        self.ends.clear();
        self.spans.clear();
    }

    /// Room for csv-core to write at least `at_least` more bytes.
    fn make_room(&mut self, at_least: usize) {
        if self.bytes.len() - self.used < at_least {
            let len = (self.used + at_least).max(self.bytes.len() * 2);
            self.bytes.resize(len, 0);
        }
    }
}

/// The records of a CSV file, one at a time, with their rows.
#[derive(Debug)]
pub(super) struct Stream<R> {
    reader: R,
    core: csv_core::Reader,
    /// Input read but not yet parsed is `input[pos..len]`.
    input: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    /// Nothing has been given to csv-core yet (it drops a BOM only then).
    at_start: bool,
    /// The line of the next byte to be parsed.
    line: u64,
    /// The last byte parsed was `\r` (so a `\n` next ends no new line).
    after_cr: bool,
    /// Where csv-core writes the field ends of the record being read.
    ends: Vec<usize>,
    /// The longest record accepted, in bytes.
    max_record: usize,
}

/// Count the line ends in `bytes` (just parsed) onto `line`: `\n`, `\r\n` and a lone `\r` are
/// one each. `after_cr` says whether the byte before `bytes` was `\r`, and is updated.
fn count_lines(bytes: &[u8], line: &mut u64, after_cr: &mut bool) -> u64 {
    let Some(&last) = bytes.last() else {
        return 0;
    };
    let mut lines = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        let cr_before = match i.checked_sub(1) {
            Some(j) => bytes.get(j) == Some(&b'\r'),
            None => *after_cr,
        };
        if bytes.get(i) == Some(&b'\r') || !cr_before {
            lines += 1;
        }
    }
    *line += lines;
    *after_cr = last == b'\r';
    lines
}

/// Bytes given to csv-core at least each time its output is full.
const MIN_ROOM: usize = 256;

impl<R: Read> Stream<R> {
    /// Read from `reader`, `input_bytes` at a time (at least [`FIRST_READ`]), refusing records
    /// longer than `max_record`.
    pub(super) fn new(reader: R, input_bytes: usize, max_record: usize) -> Self {
        Self {
            reader,
            core: csv_core::Reader::new(),
            input: vec![0; input_bytes.max(FIRST_READ)],
            pos: 0,
            len: 0,
            eof: false,
            at_start: true,
            line: 1,
            after_cr: false,
            ends: vec![0; 16],
            max_record,
        }
    }

    /// Read more input once everything read so far is parsed. At the start, read until at least
    /// [`FIRST_READ`] bytes are in (or the file ends).
    fn refill(&mut self) -> Result<(), RecordsError> {
        if self.pos < self.len || self.eof {
            return Ok(());
        }
        self.pos = 0;
        self.len = 0;
        let want = if self.at_start { FIRST_READ } else { 1 };
        while self.len < want && !self.eof {
            let room = self.input.get_mut(self.len..).unwrap_or_default();
            match self.reader.read(room) {
                Ok(0) => self.eof = true,
                Ok(n) => self.len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(RecordsError::Read {
                        row: self.line,
                        source,
                    });
                }
            }
        }
        Ok(())
    }

    /// Read the next record into `out` (appending a [`Span`] with its row); `None` at the end.
    /// Also gives the row its last byte is on.
    ///
    /// # Errors
    /// A record longer than the limit (from the row it starts on), or a failed read.
    pub(super) fn next_record(&mut self, out: &mut Batch) -> Result<Option<u64>, RecordsError> {
        let start = out.used;
        let first_end = out.ends.len();
        let mut nends = 0;
        // The record's row, once its first byte is parsed; its length and line ends after that.
        let mut row = None;
        let mut length = 0usize;
        let mut lines_inside = 0u64;
        loop {
            self.refill()?;
            out.make_room(MIN_ROOM);
            if nends == self.ends.len() {
                self.ends.resize(nends * 2, 0);
            }
            let input = self.input.get(self.pos..self.len).unwrap_or_default();
            let output = out.bytes.get_mut(out.used..).unwrap_or_default();
            let ends = self.ends.get_mut(nends..).unwrap_or_default();
            let (result, nin, nout, nend) = self.core.read_record(input, output, ends);
            // What csv-core just parsed: a BOM it dropped is no part of any record.
            let mut parsed = self.input.get(self.pos..self.pos + nin).unwrap_or_default();
            if std::mem::take(&mut self.at_start) && parsed.starts_with(BOM) {
                parsed = parsed.get(BOM.len()..).unwrap_or_default();
            }
            self.pos += nin;
            out.used += nout;
            nends += nend;
            // Line ends before the record's first byte are blank lines (or the `\n` of the last
            // record's `\r\n`); csv-core skips them.
            let mut body = parsed;
            if row.is_none() {
                let first = parsed
                    .iter()
                    .position(|b| *b != b'\n' && *b != b'\r')
                    .unwrap_or(parsed.len());
                let (blank, rest) = parsed.split_at(first);
                count_lines(blank, &mut self.line, &mut self.after_cr);
                if !rest.is_empty() {
                    row = Some(self.line);
                }
                body = rest;
            }
            length += body.len();
            lines_inside += count_lines(body, &mut self.line, &mut self.after_cr);
            if length > self.max_record {
                return Err(RecordsError::RecordTooLong {
                    row: row.unwrap_or(self.line),
                    limit: self.max_record,
                });
            }
            match result {
                ReadRecordResult::InputEmpty if self.eof && nin == 0 => return Ok(None),
                ReadRecordResult::InputEmpty
                | ReadRecordResult::OutputFull
                | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::Record => {
                    let row = row.unwrap_or(self.line);
                    // The line end that closed the record is not inside it.
                    if nin > 0 {
                        lines_inside = lines_inside.saturating_sub(1);
                    }
                    let ends = self.ends.get(..nends).unwrap_or_default();
                    // A record is at most `max_record` bytes, so its ends fit in a u32.
                    out.ends
                        .extend(ends.iter().map(|e| u32::try_from(*e).unwrap_or(u32::MAX)));
                    out.spans.push(Span {
                        row,
                        start,
                        first_end,
                        fields: nends,
                        problem: None,
                        period: 0,
                    });
                    return Ok(Some(row + lines_inside));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }
}
