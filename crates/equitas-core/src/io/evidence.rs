//! Rows of an assessment's evidence table from text: a range pasted from a spreadsheet
//! (tab-separated) or a CSV file, one subgroup per row.
//!
//! The first row is a header when every cell of it names a column ([`COLUMNS`], any case, or
//! the form's labels: "Standard error", "Lower limit", …); the columns are then taken by name
//! and may come in any order. Without a header the cells are taken in the order of the form's
//! compact table: subgroup, order, estimate, population, standard error, lower limit, upper
//! limit. A dimension given by the caller (the form asks for it once) fills every row that does
//! not name its own. Rows are numbered as the spreadsheet numbers them (the first row is 1),
//! columns by letter, so an error points at the cell to correct.
//!
//! ```
//! use equitas_core::io::evidence::read;
//! let rows = read("Quintile 1\t1\t41.2\nQuintile 5\t5\t28,3", Some("IMD quintile"));
//! let e = rows.unwrap_err().to_string();
//! assert!(e.contains("row 2, column C (estimate): \"28,3\" has a decimal comma"), "{e}");
//! ```

use super::heat_plus::LineBreaks;
use crate::assessment::EvidenceRow;

/// The most rows read from one paste or file: an evidence table lists subgroups (five
/// quintiles, ten deciles, a few dozen ethnic groups), not records. Not configurable: a table
/// of more subgroups than this is not one a form can show.
pub const MAX_EVIDENCE_ROWS: usize = 1_000;

/// The most problems listed in one error; the count of the rest is given.
pub const MAX_LISTED_PROBLEMS: usize = 20;

/// The columns a header may name, as the saved file names them.
pub const COLUMNS: [&str; 9] = [
    "dimension",
    "subgroup",
    "order",
    "estimate",
    "population",
    "se",
    "lower",
    "upper",
    "reference",
];

/// The columns of a range without a header, in the compact table's order.
const POSITIONAL: [&str; 7] = [
    "subgroup",
    "order",
    "estimate",
    "population",
    "se",
    "lower",
    "upper",
];

/// Text that could not be read as evidence rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceTextError {
    /// No row with anything in it.
    #[error("there are no rows to add: paste a range of cells or choose a CSV file")]
    Empty,
    /// More rows than [`MAX_EVIDENCE_ROWS`].
    #[error("{rows} rows is more than the {MAX_EVIDENCE_ROWS} an evidence table holds")]
    TooManyRows {
        /// How many rows the text has.
        rows: usize,
    },
    /// The text is not CSV (an unclosed quote, for one).
    #[error("row {row}: {message}")]
    Csv {
        /// The row, 1 = the first.
        row: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// Cells that cannot be read, each with its row and column.
    #[error("{}", list(.problems, *.more))]
    Cells {
        /// "row 3, column C (estimate): …", in row order.
        problems: Vec<String>,
        /// How many more there were beyond [`MAX_LISTED_PROBLEMS`].
        more: usize,
    },
}

fn list(problems: &[String], more: usize) -> String {
    let mut s = problems.join("; ");
    if more > 0 {
        s.push_str(&format!("; and {more} more"));
    }
    s
}

/// Other names a header may give a column: the form's labels and common spreadsheet headings.
const ALIASES: [(&str, &str); 11] = [
    ("standard error", "se"),
    ("lower limit", "lower"),
    ("lower ci", "lower"),
    ("lower 95% ci", "lower"),
    ("upper limit", "upper"),
    ("upper ci", "upper"),
    ("upper 95% ci", "upper"),
    ("subgroup order", "order"),
    ("subgroup_order", "order"),
    ("reference subgroup", "reference"),
    ("value", "estimate"),
];

/// The column a header cell names (any case; " (optional)" after it ignored), if it names one.
/// Compared in place, without a lower-cased copy or a substring search (smaller in the browser).
fn column_named(cell: &str) -> Option<&'static str> {
    let c = cell.trim();
    let c = c
        .len()
        .checked_sub(" (optional)".len())
        .and_then(|n| {
            c.get(n..)
                .filter(|t| t.eq_ignore_ascii_case(" (optional)"))
                .and(c.get(..n))
        })
        .unwrap_or(c);
    COLUMNS
        .iter()
        .map(|&k| (k, k))
        .chain(ALIASES)
        .find(|(name, _)| name.eq_ignore_ascii_case(c))
        .map(|(_, k)| k)
}

/// A column's letter as a spreadsheet shows it (0 → A, 26 → AA).
fn letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + u8::try_from(i % 26).unwrap_or(0));
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A number as a spreadsheet copies it: a full stop for decimals, commas only between
/// thousands ("1,234.5"); `Err` says what is wrong with it.
fn number(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let grouped = t.contains(',');
    if grouped {
        let (int, _) = t.split_once('.').unwrap_or((t, ""));
        let int = int.trim_start_matches(['-', '+']);
        let mut groups = int.split(',');
        let first_ok = groups
            .next()
            .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
        if !(first_ok && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))) {
            return Err(format!(
                "{t:?} has a decimal comma: use a full stop, like {}",
                t.replacen(',', ".", 1)
            ));
        }
    }
    let plain: String = t.chars().filter(|&c| c != ',').collect();
    let ok = !plain.is_empty()
        && plain
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match plain.parse::<f64>() {
        Ok(x) if ok && x.is_finite() => Ok(x),
        _ => Err(format!("{t:?} is not a number")),
    }
}

/// The evidence rows in `text` (tab-separated when its first line has a tab, else CSV), with
/// `dimension` for rows that do not name one. Blank rows are skipped.
///
/// # Errors
/// [`EvidenceTextError`]: no rows, more than [`MAX_EVIDENCE_ROWS`], text that is not CSV, or
/// every cell that cannot be read, named by row and column (an order that is not a whole
/// number, a number with a decimal comma, a row with more cells than the columns, a row with no
/// subgroup).
pub fn read(text: &str, dimension: Option<&str>) -> Result<Vec<EvidenceRow>, EvidenceTextError> {
    let records = records_of(text)?;
    let header: Option<Vec<&'static str>> = records.first().and_then(|(_, cells)| {
        cells
            .iter()
            .filter(|c| !c.is_empty())
            .map(|c| column_named(c))
            .collect::<Option<Vec<_>>>()
            .map(|_| {
                cells
                    .iter()
                    .map(|c| column_named(c).unwrap_or(""))
                    .collect()
            })
    });
    let columns: Vec<&str> = match &header {
        Some(h) => h.clone(),
        None => POSITIONAL.to_vec(),
    };
    let body = if header.is_some() {
        records.get(1..).unwrap_or(&[])
    } else {
        &records[..]
    };
    if body.is_empty() {
        return Err(EvidenceTextError::Empty);
    }
    if body.len() > MAX_EVIDENCE_ROWS {
        return Err(EvidenceTextError::TooManyRows { rows: body.len() });
    }
    let mut problems = Vec::new();
    let mut rows = Vec::with_capacity(body.len());
    for (n, cells) in body {
        rows.push(row_of(*n, cells, &columns, dimension, &mut problems));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        let more = problems.len().saturating_sub(MAX_LISTED_PROBLEMS);
        problems.truncate(MAX_LISTED_PROBLEMS);
        Err(EvidenceTextError::Cells { problems, more })
    }
}

/// The non-blank records of `text` with their row numbers, cells trimmed: tab-separated when
/// its first line has a tab, else CSV.
fn records_of(text: &str) -> Result<Vec<(u64, Vec<String>)>, EvidenceTextError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.contains('\t') {
        b'\t'
    } else {
        b','
    };
    // The HEAT Plus reader's reader type, so the browser's measures module holds one copy of
    // the CSV reader (another instance cost 15 KB), and rows numbered as a spreadsheet does.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(LineBreaks::new(text.as_bytes()));
    let mut record = csv::StringRecord::new();
    let mut records = Vec::new();
    let mut row = 0;
    loop {
        let start = reader.position().byte();
        let read = reader.read_record(&mut record);
        if matches!(read, Ok(false)) {
            break;
        }
        row += reader.get_mut().breaks_before(start).max(1);
        if let Err(e) = read {
            return Err(EvidenceTextError::Csv {
                row,
                message: e.to_string(),
            });
        }
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            if records.len() > MAX_EVIDENCE_ROWS {
                return Err(EvidenceTextError::TooManyRows {
                    rows: records.len() + 1,
                });
            }
            records.push((row, cells));
        }
    }
    Ok(records)
}

/// Row `n` of the body as an evidence row, under `columns`; each cell that cannot be read goes to
/// `problems`, named by row and column.
fn row_of(
    n: u64,
    cells: &[String],
    columns: &[&str],
    dimension: Option<&str>,
    problems: &mut Vec<String>,
) -> EvidenceRow {
    let mut r = EvidenceRow {
        dimension: dimension.unwrap_or("").trim().to_owned(),
        subgroup: String::new(),
        order: 0,
        estimate: None,
        population: None,
        se: None,
        lower: None,
        upper: None,
        reference: false,
    };
    for (c, cell) in cells.iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        let Some(&name) = columns.get(c).filter(|n| !n.is_empty()) else {
            problems.push(format!(
                "row {n}, column {}: {cell:?} is beyond the columns ({})",
                letter(c),
                columns
                    .iter()
                    .filter(|n| !n.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        };
        let at = |p: String| format!("row {n}, column {} ({name}): {p}", letter(c));
        match name {
            "dimension" => r.dimension.clone_from(cell),
            "subgroup" => r.subgroup.clone_from(cell),
            "order" => match cell.parse::<u32>() {
                Ok(o) => r.order = o,
                Err(_) => problems.push(at(format!(
                    "{cell:?} is not an order: give a whole number, 1 = most disadvantaged"
                ))),
            },
            "reference" => {
                let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(cell));
                if is(&["yes", "true", "y", "1", "reference"]) {
                    r.reference = true;
                } else if !is(&["no", "false", "n", "0"]) {
                    problems.push(at(format!("{cell:?} is not yes or no")));
                }
            }
            _ => match number(cell) {
                Ok(x) => {
                    let slot = match name {
                        "estimate" => &mut r.estimate,
                        "population" => &mut r.population,
                        "se" => &mut r.se,
                        "lower" => &mut r.lower,
                        _ => &mut r.upper,
                    };
                    *slot = Some(x);
                }
                Err(p) => problems.push(at(p)),
            },
        }
    }
    if r.subgroup.is_empty() {
        problems.push(format!("row {n}: give the subgroup's name"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_range_without_a_header_is_read_in_the_compact_tables_order() {
        let text = "Quintile 1 (most deprived)\t1\t41.2\t12,345\t\t38.1\t44.3\n\
                    Quintile 2\t2\t38\t11000\n\
                    Quintile 3\t3\t35.5\n\
                    Quintile 4\t4\t31\n\
                    Quintile 5\t5\t28.3\r\n";
        let rows = read(text, Some("IMD quintile")).unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].dimension, "IMD quintile");
        assert_eq!(rows[0].subgroup, "Quintile 1 (most deprived)");
        assert_eq!(rows[0].order, 1);
        assert_eq!(rows[0].estimate, Some(41.2));
        assert_eq!(rows[0].population, Some(12345.0));
        assert_eq!(rows[0].se, None);
        assert_eq!((rows[0].lower, rows[0].upper), (Some(38.1), Some(44.3)));
        assert_eq!(rows[4].estimate, Some(28.3));
    }

    #[test]
    fn a_csv_with_a_header_is_read_by_name_in_any_order() {
        let text = "\u{feff}Estimate,Subgroup,Dimension,Standard error,Reference\n\
                    \"1,234.5\",Men,Sex,2.5,yes\n\
                    900,Women,Sex,,\n";
        let rows = read(text, Some("ignored where the row names one")).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].subgroup, "Men");
        assert_eq!(rows[0].dimension, "Sex");
        assert_eq!(rows[0].estimate, Some(1234.5));
        assert_eq!(rows[0].se, Some(2.5));
        assert!(rows[0].reference && !rows[1].reference);
        assert_eq!(rows[1].order, 0);
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column() {
        let text = "Subgroup\tOrder\tEstimate\n\
                    Q1\t1\t42,1\n\
                    Q2\tsecond\t40\n\
                    \t3\t38\n\
                    Q4\t4\t12%\textra\n";
        let e = read(text, None).unwrap_err().to_string();
        assert_eq!(
            e,
            "row 2, column C (estimate): \"42,1\" has a decimal comma: use a full stop, like 42.1; \
             row 3, column B (order): \"second\" is not an order: give a whole number, 1 = most disadvantaged; \
             row 4: give the subgroup's name; \
             row 5, column C (estimate): \"12%\" is not a number; \
             row 5, column D: \"extra\" is beyond the columns (subgroup, order, estimate)"
        );
    }

    #[test]
    fn empty_too_many_and_broken_text_are_refused() {
        assert_eq!(read(" \n\t\n", None), Err(EvidenceTextError::Empty));
        assert_eq!(
            read("subgroup\testimate\n", None),
            Err(EvidenceTextError::Empty)
        );
        let many = "g\t1\n".repeat(MAX_EVIDENCE_ROWS + 1);
        assert_eq!(
            read(&many, None),
            Err(EvidenceTextError::TooManyRows {
                rows: MAX_EVIDENCE_ROWS + 1
            })
        );
        assert!(read(&"g\t1\n".repeat(MAX_EVIDENCE_ROWS), None).is_ok());
        let many_bad = "g\tx\n".repeat(30);
        let e = read(&many_bad, None).unwrap_err().to_string();
        assert!(e.ends_with("; and 10 more"), "{e}");
    }

    #[test]
    fn numbers_keep_commas_only_between_thousands() {
        assert_eq!(number("1,234,567.5"), Ok(1_234_567.5));
        assert_eq!(number("-12,345"), Ok(-12_345.0));
        assert_eq!(number("1e3"), Ok(1000.0));
        for bad in ["42,1", "1,23", "12,3456", ",5"] {
            assert!(number(bad).unwrap_err().contains("decimal comma"), "{bad}");
        }
        for bad in ["NaN", "inf", "12 people", "", "0x10"] {
            assert!(
                number(bad).unwrap_err().contains("is not a number"),
                "{bad}"
            );
        }
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
    }
}
