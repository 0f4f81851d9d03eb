//! A small reader for CSV tables with named columns, grouped by some of them: the input of the
//! Fingertips commands (`equitas sii|lifetable|proportion|rate|dsr`). Errors name the row as a
//! spreadsheet numbers it (the header is row 1), the column and the value.

use std::io::Read;

/// A CSV table held in memory: header and rows of text.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<csv::StringRecord>,
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
    /// The CSV is malformed (e.g. a row with a different number of fields).
    pub fn read<R: Read>(reader: R) -> Result<Self, ColumnError> {
        let mut r = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let headers = r.headers()?.iter().map(str::to_owned).collect();
        let rows = r.records().collect::<Result<Vec<_>, _>>()?;
        Ok(Self { headers, rows })
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

    /// The spreadsheet row number of data row `row` (header = 1, so data row 0 is row 2).
    #[must_use]
    pub const fn line(row: usize) -> usize {
        row + 2
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
                row: Self::line(row),
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
                row: Self::line(row),
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
