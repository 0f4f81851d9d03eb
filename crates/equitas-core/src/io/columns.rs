//! A small reader for CSV tables with named columns, grouped by some of them: the input of the
//! Fingertips commands (`equitas sii|lifetable|proportion|rate|dsr`). Errors name the row as a
//! spreadsheet numbers it (the header is row 1), the column and the value.
//!
//! Rows are numbered the way a spreadsheet shows the file: a blank line is a row, a line may end
//! in LF, CRLF or CR alone, and a quoted cell that runs over several lines is one row. The csv
//! crate's own line numbers miss blank lines and count CR-only files as one line, so the numbers
//! are worked out here from where each record starts.

use std::io::Read;

/// The largest input [`Table::read`] takes, in bytes (256 MiB): the table is held in memory, and
/// a Fingertips input (areas × quantiles or age bands) is far smaller.
pub const MAX_TABLE_BYTES: u64 = 256 * 1024 * 1024;

/// The most data rows [`Table::read`] takes: 19 age bands × 2 sexes for each of England's 33,755
/// LSOAs (2021) is 1.3 million.
pub const MAX_TABLE_ROWS: usize = 2_000_000;

/// A CSV table held in memory: header and rows of text.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<csv::StringRecord>,
    /// The spreadsheet row of each data row.
    lines: Vec<usize>,
}

/// Rows that share the values of the group-by columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group-by values, in the order of the group-by columns.
    pub key: Vec<String>,
    /// Indices of the group's rows (0-based data rows), in file order.
    pub rows: Vec<usize>,
}

/// What is wrong with a table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ColumnError {
    /// The CSV itself could not be read.
    #[error("cannot read the csv: {0}")]
    Csv(#[from] csv::Error),
    /// A column the command needs is not in the header.
    #[error("the input has no column {name:?}; its columns are {available}")]
    MissingColumn {
        /// The column wanted.
        name: String,
        /// The header, comma-separated.
        available: String,
    },
    /// A cell that should hold a number does not.
    #[error("row {row}, column {column}: {value:?} is not a number")]
    NotANumber {
        /// Spreadsheet row (header = 1).
        row: usize,
        /// Column name.
        column: String,
        /// The cell.
        value: String,
    },
    /// A required cell is empty.
    #[error("row {row}, column {column}: a value is needed")]
    Empty {
        /// Spreadsheet row (header = 1).
        row: usize,
        /// Column name.
        column: String,
    },
    /// The input is larger than [`MAX_TABLE_BYTES`].
    #[error(
        "the input is larger than {MAX_TABLE_BYTES} bytes, the most this command reads (split it, e.g. by area)"
    )]
    TooLarge,
    /// The input has more data rows than [`MAX_TABLE_ROWS`].
    #[error(
        "the input has more than {MAX_TABLE_ROWS} data rows, the most this command reads (split it, e.g. by area)"
    )]
    TooManyRows,
    /// The input could not be read.
    #[error("cannot read the input: {0}")]
    Io(#[from] std::io::Error),
}

impl Table {
    /// Read a whole CSV with a header row (fields are trimmed).
    ///
    /// ```
    /// use equitas_core::io::columns::Table;
    /// let t = Table::read("area,x,n\nA,3,10\nB,4,20\nA,1,5\n".as_bytes())?;
    /// let (area, x) = (t.column("area")?, t.column("x")?);
    /// let groups = t.groups(&[area]);
    /// assert_eq!(groups[0].key, ["A"]);
    /// assert_eq!(groups[0].rows, [0, 2]);
    /// assert_eq!(t.number(2, x)?, 1.0);
    /// # Ok::<(), equitas_core::io::columns::ColumnError>(())
    /// ```
    ///
    /// # Errors
    /// The CSV is malformed (e.g. a row with a different number of fields), or larger than
    /// [`MAX_TABLE_BYTES`] or [`MAX_TABLE_ROWS`].
    pub fn read<R: Read>(reader: R) -> Result<Self, ColumnError> {
        let mut bytes = Vec::new();
        reader.take(MAX_TABLE_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_TABLE_BYTES {
            return Err(ColumnError::TooLarge);
        }
        let mut r = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes.as_slice());
        let headers = r.headers()?.iter().map(str::to_owned).collect();
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        // The header's row: 1 after any blank lines before it.
        let mut counter = RowCounter::new(&bytes);
        let mut row = counter.advance(0) + 1;
        for record in r.records() {
            let record = record?;
            if rows.len() == MAX_TABLE_ROWS {
                return Err(ColumnError::TooManyRows);
            }
            let start = record.position().map_or(0, csv::Position::byte);
            row += 1 + counter.advance(usize::try_from(start).unwrap_or(usize::MAX));
            rows.push(record);
            lines.push(row);
        }
        Ok(Self {
            headers,
            rows,
            lines,
        })
    }

    /// The column names.
    #[must_use]
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// How many data rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no data rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The index of a column (names compare case-insensitively).
    ///
    /// # Errors
    /// No such column; the message lists the columns there are.
    pub fn column(&self, name: &str) -> Result<usize, ColumnError> {
        self.optional_column(name)
            .ok_or_else(|| ColumnError::MissingColumn {
                name: name.to_owned(),
                available: self.headers.join(","),
            })
    }

    /// The index of a column, if present.
    #[must_use]
    pub fn optional_column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The spreadsheet row number of data row `row` (header = 1, so data row 0 is row 2 unless
    /// blank lines come before it).
    #[must_use]
    pub fn line(&self, row: usize) -> usize {
        self.lines.get(row).copied().unwrap_or(row + 2)
    }

    /// The text of a cell ("" when absent).
    #[must_use]
    pub fn text(&self, row: usize, col: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(col)).unwrap_or("")
    }

    fn column_name(&self, col: usize) -> String {
        self.headers.get(col).cloned().unwrap_or_default()
    }

    /// A cell as a number; empty, `NA` and `NULL` are `None`.
    ///
    /// # Errors
    /// The cell is neither a number nor empty/NA.
    pub fn optional_number(&self, row: usize, col: usize) -> Result<Option<f64>, ColumnError> {
        let t = self.text(row, col);
        if t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("null") {
            return Ok(None);
        }
        t.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| ColumnError::NotANumber {
                row: self.line(row),
                column: self.column_name(col),
                value: t.to_owned(),
            })
    }

    /// A cell as a number that must be there.
    ///
    /// # Errors
    /// The cell is empty, NA, or not a number.
    pub fn number(&self, row: usize, col: usize) -> Result<f64, ColumnError> {
        self.optional_number(row, col)?
            .ok_or_else(|| ColumnError::Empty {
                row: self.line(row),
                column: self.column_name(col),
            })
    }

    /// Rows grouped by the values of columns `by`, groups in order of first appearance; with no
    /// columns, one group of every row.
    #[must_use]
    pub fn groups(&self, by: &[usize]) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        let mut index: std::collections::HashMap<Vec<String>, usize> =
            std::collections::HashMap::new();
        for row in 0..self.rows.len() {
            let key: Vec<String> = by.iter().map(|&c| self.text(row, c).to_owned()).collect();
            let slot = *index.entry(key.clone()).or_insert_with(|| {
                groups.push(Group {
                    key,
                    rows: Vec::new(),
                });
                groups.len() - 1
            });
            if let Some(g) = groups.get_mut(slot) {
                g.rows.push(row);
            }
        }
        groups
    }
}

/// Counts the blank lines between records, for [`Table::read`]'s row numbers.
///
/// The csv reader gives each record's start as the byte just after the previous record's line
/// ending (for CRLF, sometimes its LF), so the bytes from there to the record's first other byte
/// are line endings only: blank lines, each LF, CRLF or lone CR. A record cannot start with a CR
/// or LF (an empty line is no record, and a cell that starts with one is quoted).
struct RowCounter<'a> {
    bytes: &'a [u8],
}

impl<'a> RowCounter<'a> {
    const fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// The blank lines between byte `from` and the next byte that is not CR or LF.
    fn advance(&mut self, from: usize) -> usize {
        let mut blank = 0;
        let mut i = from;
        while let Some(&b) = self.bytes.get(i) {
            match b {
                b'\r' => blank += 1,
                // The LF of a CRLF ends the line its CR ended (at `from`, the previous record's).
                b'\n' if i.checked_sub(1).and_then(|j| self.bytes.get(j)) == Some(&b'\r') => {}
                b'\n' => blank += 1,
                _ => break,
            }
            i += 1;
        }
        blank
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The row of each record by the simple rule for input without quotes: split the text into
    /// lines at LF, CRLF or CR and number them from 1; records are the lines that are not empty.
    fn rows_by_lines(text: &str) -> Vec<usize> {
        let mut rows = Vec::new();
        let mut line = 1;
        let mut rest = text;
        let mut first = true;
        loop {
            let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
            if !rest[..end].is_empty() {
                if !first {
                    rows.push(line);
                }
                first = false;
            }
            if end == rest.len() {
                break;
            }
            let skip = if rest[end..].starts_with("\r\n") {
                2
            } else {
                1
            };
            rest = &rest[end + skip..];
            line += 1;
        }
        rows
    }

    fn lines_of(t: &Table) -> Vec<usize> {
        (0..t.len()).map(|r| t.line(r)).collect()
    }

    #[test]
    fn rows_count_blank_lines_and_every_line_ending() {
        for (text, want) in [
            ("x\n1\n2\n", vec![2, 3]),
            ("x\n1\n\n2\n", vec![2, 4]),
            ("x\r1\r\r2\r", vec![2, 4]),
            ("x\r\n1\r\n\r\n2", vec![2, 4]),
            ("\n\nx\n1\n", vec![4]),
            ("x\n\"a\nb\"\n2\n", vec![2, 3]),
            ("x\r\n\n\r1\n", vec![4]),
        ] {
            assert_eq!(
                lines_of(&Table::read(text.as_bytes()).unwrap()),
                want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn inputs_beyond_the_limits_are_refused() {
        let mut rows = String::from("x\n");
        for _ in 0..=MAX_TABLE_ROWS {
            rows.push_str("1\n");
        }
        let e = Table::read(rows.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            e,
            "the input has more than 2000000 data rows, the most this command reads (split it, e.g. by area)"
        );
        let huge = std::io::repeat(b'x').take(MAX_TABLE_BYTES + 1);
        let e = Table::read(huge).unwrap_err().to_string();
        assert!(
            e.starts_with("the input is larger than 268435456 bytes"),
            "{e}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// The row numbers agree with numbering lines by hand, for any mix of line endings and
        /// blank lines (no quotes, so a line is a record).
        #[test]
        fn rows_match_numbering_lines_by_hand(
            parts in prop::collection::vec(
                (prop_oneof![Just(""), Just("1"), Just("22"), Just(" 3 ")], prop_oneof![Just("\n"), Just("\r\n"), Just("\r")]),
                0..40,
            ),
            last in prop_oneof![Just(""), Just("4")],
        ) {
            let mut text = String::from("x\n");
            for (cell, end) in &parts {
                text.push_str(cell);
                text.push_str(end);
            }
            text.push_str(last);
            let t = Table::read(text.as_bytes()).unwrap();
            prop_assert_eq!(lines_of(&t), rows_by_lines(&text), "{:?}", text);
        }
    }
}
