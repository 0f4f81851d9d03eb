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
//! A CSV in the WHO HEAT Plus layout (a header naming `indicator_abbr`: what `equitas cohorts
//! --csv-table heat-plus` and the data page read) is read as that template ([`heat_plus::read`]),
//! its columns by their template names (`subgroup_order` → order, `ci_lb`/`ci_ub` → lower/upper,
//! `reference_subgroup` → reference, `indicator_name` → the indicator). Such a file holds one
//! stratum per indicator × dimension × setting × date × source; an evidence table shows one, so
//! [`read_with`] takes the stratum's number, and without one a file of several is an error
//! listing them ([`strata`] lists them as data, for a choice). A subgroup the file gives no
//! estimate (a suppressed count: an empty estimate and a note) keeps none: never 0.
//!
//! ```
//! use equitas_core::io::evidence::read;
//! let rows = read("Quintile 1\t1\t41.2\nQuintile 5\t5\t28,3", Some("IMD quintile"));
//! let e = rows.unwrap_err().to_string();
//! assert!(e.contains("row 2, column C (estimate): \"28,3\" has a decimal comma"), "{e}");
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::heat_plus::{self, HeatPlusError, HeatPlusStratum, LineBreaks};
use crate::assessment::EvidenceRow;
use crate::read::FromJson;

/// The most rows read from one paste or file: an evidence table lists subgroups (five
/// quintiles, ten deciles, a few dozen ethnic groups), not records. Not configurable: a table
/// of more subgroups than this is not one a form can show.
pub const MAX_EVIDENCE_ROWS: usize = 1_000;

/// The most problems listed in one error; the count of the rest is given.
pub const MAX_LISTED_PROBLEMS: usize = 20;

/// The most strata of a HEAT Plus table listed to choose from, in an error or in [`strata`]:
/// the first ones in the file; the rest are counted. A cohort report by a few breakdowns has
/// tens. Not configurable: a file of more is better cut to the indicator wanted first (or its
/// stratum named by number, which works past the list).
pub const MAX_LISTED_STRATA: usize = 200;

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
    /// A HEAT Plus table that the template's reader refused (every row, column and value).
    #[error("{0}")]
    HeatPlus(HeatPlusError),
    /// A HEAT Plus table of several strata, and none named: the first [`MAX_LISTED_STRATA`].
    #[error(
        "the HEAT Plus table holds {} strata and an evidence table shows one: choose one by its number: {}",
        .strata.len() + .more,
        choices(.strata, *.more)
    )]
    ChooseStratum {
        /// The strata, in file order.
        strata: Vec<StratumChoice>,
        /// How many more there are beyond [`MAX_LISTED_STRATA`].
        more: usize,
    },
    /// A stratum number that is not a whole number from 1 up (as a caller in JavaScript may
    /// give one), shown as given.
    #[error("a stratum number is a whole number from 1 up, not {0}")]
    BadStratum(String),
    /// A stratum number the HEAT Plus table does not have.
    #[error("there is no stratum {number}: the HEAT Plus table holds {count}, numbered from 1")]
    NoStratum {
        /// The number asked for.
        number: usize,
        /// How many strata there are.
        count: usize,
    },
}

fn choices(strata: &[StratumChoice], more: usize) -> String {
    let listed: Vec<String> = strata
        .iter()
        .map(|c| format!("{}. {}", c.number, c.label))
        .collect();
    list(&listed, more)
}

/// One stratum of a HEAT Plus table, to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct StratumChoice {
    /// Its number, 1 = the first in the file: what [`read_with`] takes.
    pub number: usize,
    /// What it is: "Flu vaccination (COPD) by IMD quintile, national, 2026-12-06" (the source
    /// too, after a semicolon, where two strata would read the same without it).
    pub label: String,
    /// How many subgroups it has.
    pub subgroups: usize,
}

/// The strata of a HEAT Plus table ([`strata`]): empty for text that is not one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Strata {
    /// The first [`MAX_LISTED_STRATA`], in file order.
    pub strata: Vec<StratumChoice>,
    /// How many more there are.
    pub more: usize,
}

/// What a paste or a file gave: the rows, and for a HEAT Plus table the stratum they are from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct EvidenceRead {
    /// The rows, in the text's order.
    pub rows: Vec<EvidenceRow>,
    /// The stratum, when the text is a HEAT Plus table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heat_plus: Option<FromHeatPlus>,
}

/// The stratum of a HEAT Plus table that evidence rows were read from, and what the evidence
/// table's other fields are for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct FromHeatPlus {
    /// Which stratum: "Flu vaccination (COPD) by IMD quintile, national, 2026-12-06".
    pub stratum: String,
    /// The indicator: its name in the file, or its short id when the file names none.
    pub indicator: String,
    /// Whether a higher value is better (`favourable_indicator`).
    pub favourable: bool,
    /// The indicator's scale (`indicator_scale`).
    pub scale: f64,
    /// Each subgroup the file gives no estimate, with the file's note where it has one
    /// ("Quintile 1 (most deprived): suppressed: from 1 to 7 …"): its row keeps no estimate.
    pub without_estimate: Vec<String>,
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
/// `dimension` for rows that do not name one. Blank rows are skipped. [`read_with`] without a
/// stratum, rows only.
///
/// # Errors
/// As [`read_with`].
pub fn read(text: &str, dimension: Option<&str>) -> Result<Vec<EvidenceRow>, EvidenceTextError> {
    read_with(text, dimension, None).map(|r| r.rows)
}

/// The evidence rows in `text`: a HEAT Plus table's stratum number `stratum` (1 = the first;
/// needed when it holds several), or rows as [`read`] describes them, with `dimension` for rows
/// that do not name one (a HEAT Plus row always names its own).
///
/// # Errors
/// [`EvidenceTextError`]: no rows, more than [`MAX_EVIDENCE_ROWS`], text that is not CSV, or
/// every cell that cannot be read, named by row and column (an order that is not a whole
/// number, a number with a decimal comma, a row with more cells than the columns, a row with no
/// subgroup, a subgroup of a dimension given twice, naming both rows); for a HEAT Plus table,
/// every problem its reader finds, several strata and none named (listing them), or a stratum
/// it does not have.
pub fn read_with(
    text: &str,
    dimension: Option<&str>,
    stratum: Option<usize>,
) -> Result<EvidenceRead, EvidenceTextError> {
    if let Some(all) = heat_plus_strata(text)? {
        return from_stratum(&all, stratum);
    }
    let rows = plain_rows(text, dimension)?;
    Ok(EvidenceRead {
        rows,
        heat_plus: None,
    })
}

/// The strata of `text` when it is a HEAT Plus table (the first [`MAX_LISTED_STRATA`]), or none.
///
/// # Errors
/// The problems the HEAT Plus reader finds in it.
pub fn strata(text: &str) -> Result<Strata, EvidenceTextError> {
    let all = heat_plus_strata(text)?.unwrap_or_default();
    Ok(Strata {
        strata: listed(&all),
        more: all.len().saturating_sub(MAX_LISTED_STRATA),
    })
}

/// The delimiter of `text` when its first non-blank line is a HEAT Plus header (one of its
/// cells is `indicator_abbr`): a tab when that line has one (a range pasted from a
/// spreadsheet), else a comma.
fn heat_plus_delimiter(text: &str) -> Option<u8> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = text.lines().find(|l| !l.trim().is_empty())?;
    let delimiter = if line.contains('\t') { b'\t' } else { b',' };
    line.split(char::from(delimiter))
        .any(|c| {
            c.trim()
                .trim_matches('"')
                .eq_ignore_ascii_case("indicator_abbr")
        })
        .then_some(delimiter)
}

/// Every stratum of `text`, read by the HEAT Plus reader, when it is such a table.
fn heat_plus_strata(text: &str) -> Result<Option<Vec<HeatPlusStratum>>, EvidenceTextError> {
    let Some(delimiter) = heat_plus_delimiter(text) else {
        return Ok(None);
    };
    heat_plus::read_delimited(text.as_bytes(), delimiter)
        .map(Some)
        .map_err(EvidenceTextError::HeatPlus)
}

/// The indicator a stratum measures: its name in the file, or its short id.
fn indicator_of(h: &HeatPlusStratum) -> &str {
    h.extras
        .iter()
        .map(|x| x.indicator_name.as_str())
        .find(|n| !n.is_empty())
        .unwrap_or(&h.key.indicator_abbr)
}

/// What a stratum is, in words: "{indicator} by {dimension}, {setting}, {date}".
fn label_of(h: &HeatPlusStratum) -> String {
    format!(
        "{} by {}, {}, {}",
        indicator_of(h),
        h.key.dimension,
        h.key.setting,
        h.key.date
    )
}

/// The first [`MAX_LISTED_STRATA`] of `all` as choices, the source added to labels that would
/// otherwise read the same.
fn listed(all: &[HeatPlusStratum]) -> Vec<StratumChoice> {
    let shown = all.get(..MAX_LISTED_STRATA).unwrap_or(all);
    let labels: Vec<String> = shown.iter().map(label_of).collect();
    (1..)
        .zip(shown.iter().zip(&labels))
        .map(|(number, (h, label))| {
            let twice = labels.iter().filter(|l| *l == label).count() > 1;
            StratumChoice {
                number,
                label: if twice {
                    format!("{label}; {}", h.key.source)
                } else {
                    label.clone()
                },
                subgroups: h.stratum.subgroups.len(),
            }
        })
        .collect()
}

/// Subgroup `j` of a HEAT Plus stratum as an evidence row: its dimension, label, order (0 for an
/// unordered dimension), estimate, population, standard error, the limits as the file gives
/// them (none made from the standard error) and the reference flag. The data page's "Use these
/// numbers" and a HEAT Plus file read into an evidence table both take their rows from here.
pub(crate) fn stratum_row(h: &HeatPlusStratum, j: usize) -> EvidenceRow {
    let s = &h.stratum;
    let extras = h.extras.get(j);
    let g = &s.subgroups[j];
    EvidenceRow {
        dimension: h.key.dimension.clone(),
        subgroup: g.label.clone(),
        order: if s.ordered { g.order } else { 0 },
        estimate: g.estimate,
        population: g.population,
        se: g.se,
        lower: extras.and_then(|x| x.ci_lb),
        upper: extras.and_then(|x| x.ci_ub),
        reference: g.reference,
    }
}

/// A stratum number given as a JavaScript number: a whole number from 1 up (at most 2^32, far
/// past any table's strata), never rounded or wrapped.
///
/// # Errors
/// [`EvidenceTextError::BadStratum`] for anything else (0, -1, 1.5, NaN), shown as given.
pub fn stratum_number(x: f64) -> Result<usize, EvidenceTextError> {
    if x.fract() == 0.0 && (1.0..=4_294_967_296.0).contains(&x) {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked: a whole number from 1 to 2^32"
        )]
        Ok(x as usize)
    } else {
        Err(EvidenceTextError::BadStratum(
            crate::number::Num(x).to_string(),
        ))
    }
}

/// Stratum number `stratum` of `all` as evidence rows (the only one when `stratum` is not given).
fn from_stratum(
    all: &[HeatPlusStratum],
    stratum: Option<usize>,
) -> Result<EvidenceRead, EvidenceTextError> {
    let number = match (stratum, all.len()) {
        (_, 0) => return Err(EvidenceTextError::Empty),
        (Some(n), _) => n,
        (None, 1) => 1,
        (None, count) => {
            return Err(EvidenceTextError::ChooseStratum {
                strata: listed(all),
                more: count.saturating_sub(MAX_LISTED_STRATA),
            });
        }
    };
    let Some(h) = number.checked_sub(1).and_then(|i| all.get(i)) else {
        return Err(EvidenceTextError::NoStratum {
            number,
            count: all.len(),
        });
    };
    let s = &h.stratum;
    if s.subgroups.len() > MAX_EVIDENCE_ROWS {
        return Err(EvidenceTextError::TooManyRows {
            rows: s.subgroups.len(),
        });
    }
    let mut without_estimate = Vec::new();
    let rows = s
        .subgroups
        .iter()
        .enumerate()
        .map(|(j, g)| {
            let extras = h.extras.get(j);
            if g.estimate.is_none() {
                let note = extras.map_or("", |x| x.note.as_str());
                without_estimate.push(if note.is_empty() {
                    g.label.clone()
                } else {
                    format!("{}: {note}", g.label)
                });
            }
            stratum_row(h, j)
        })
        .collect();
    Ok(EvidenceRead {
        rows,
        heat_plus: Some(FromHeatPlus {
            stratum: label_of(h),
            indicator: indicator_of(h).to_owned(),
            favourable: s.favourable,
            scale: s.scale,
            without_estimate,
        }),
    })
}

/// The rows of a paste or a CSV that is not a HEAT Plus table.
fn plain_rows(text: &str, dimension: Option<&str>) -> Result<Vec<EvidenceRow>, EvidenceTextError> {
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
    // Each subgroup's first row, by its key (`folded`): its index in `body`.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, (n, cells)) in body.iter().enumerate() {
        let row = row_of(*n, cells, &columns, dimension, &mut problems);
        if !row.subgroup.is_empty() {
            let key = folded(&row.dimension, &row.subgroup);
            if let Some(first) = seen.get(&key).and_then(|&j| body.get(j)) {
                problems.push(format!(
                    "row {n}: {} is on row {} too: give each subgroup of a dimension once",
                    row.subgroup, first.0
                ));
            } else {
                seen.insert(key, i);
            }
        }
        rows.push(row);
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        let more = problems.len().saturating_sub(MAX_LISTED_PROBLEMS);
        problems.truncate(MAX_LISTED_PROBLEMS);
        Err(EvidenceTextError::Cells { problems, more })
    }
}

/// Which subgroup of which dimension a row is: two rows are the same subgroup when their
/// dimensions and subgroups are the same, ignoring spaces around them and the case of ASCII
/// letters ("IMD quintile" / "Quintile 1" is "imd Quintile" / " quintile 1").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
#[json(expected = "a subgroup: an object with dimension and subgroup")]
pub struct SubgroupKey {
    /// The row's dimension ("" when it has none).
    pub dimension: String,
    /// The row's subgroup.
    pub subgroup: String,
}

impl SubgroupKey {
    /// The form two keys are compared in ([`folded`]).
    fn folded(&self) -> String {
        folded(&self.dimension, &self.subgroup)
    }
}

/// A subgroup's key as keys are compared: trimmed, ASCII letters in lower case, the dimension's
/// length first so that no two keys run together. One string, as the HEAT Plus reader's strata
/// are found by (a second map type would be a second copy of the map's code in the browser's
/// module).
fn folded(dimension: &str, subgroup: &str) -> String {
    let dimension = dimension.trim();
    let mut key = format!("{}:{dimension}{}", dimension.len(), subgroup.trim());
    key.make_ascii_lowercase();
    key
}

/// The evidence table after new rows are put in it ([`place`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Placement {
    /// The table's rows, in order, each as its index in the table's rows followed by the new
    /// ones: `i` < the table's length is the table's row `i`, kept; `table.len() + j` is the new
    /// row `j`, in place of a table row of the same subgroup or added after them.
    pub rows: Vec<usize>,
    /// How many new rows were added after the table's.
    pub added: usize,
    /// How many new rows took the place of a table row of the same subgroup.
    pub replaced: usize,
}

/// Puts `new` rows into a `table`, as a programme lead expects when adding the same subgroups
/// again (corrected numbers, or last quarter's): a new row of a subgroup already in the table
/// (the same dimension and subgroup, [`SubgroupKey`]) takes that row's place; the others are
/// added after the table's rows, in their order. A table row is replaced by at most one new
/// row (the first of its subgroup), and when the table has the subgroup twice, the first is
/// replaced; nothing of the table is dropped but what is replaced. ([`read_with`] refuses a
/// paste that gives a subgroup twice, so a new row never meets another of its subgroup.)
#[must_use]
pub fn place(table: &[SubgroupKey], new: &[SubgroupKey]) -> Placement {
    // Only `insert` and `get`, as the HEAT Plus reader uses the map: `remove` or `entry` would
    // bring more of the map's code into the browser's module. Inserted last row first, so each
    // key ends up with its first row.
    let mut first_in_table: BTreeMap<String, usize> = BTreeMap::new();
    for (i, k) in table.iter().enumerate().rev() {
        first_in_table.insert(k.folded(), i);
    }
    let mut rows: Vec<usize> = (0..table.len()).collect();
    let mut replaced = 0;
    let mut added = Vec::new();
    for (j, k) in new.iter().enumerate() {
        // The table row of this subgroup, unless a new row has taken its place already.
        let slot = first_in_table
            .get(&k.folded())
            .and_then(|&i| rows.get_mut(i))
            .filter(|t| **t < table.len());
        match slot {
            Some(slot) => {
                *slot = table.len() + j;
                replaced += 1;
            }
            None => added.push(table.len() + j),
        }
    }
    let count = added.len();
    rows.extend(added);
    Placement {
        rows,
        added: count,
        replaced,
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
        // Each subgroup once: a subgroup given twice is refused (below).
        let distinct =
            |row: &str, n: usize| -> String { (0..n).map(|i| format!("g{i}\t{row}\n")).collect() };
        assert!(read(&distinct("1", MAX_EVIDENCE_ROWS), None).is_ok());
        let many_bad = distinct("x", 30);
        let e = read(&many_bad, None).unwrap_err().to_string();
        assert!(e.ends_with("; and 10 more"), "{e}");
    }

    /// A HEAT Plus table as `equitas cohorts --csv-table heat-plus` writes one: two indicators
    /// by IMD quintile and one by sex, a suppressed cell among them.
    const HEAT_PLUS: &str = "setting,date,source,indicator_abbr,indicator_name,dimension,subgroup,\
estimate,se,ci_lb,ci_ub,population,note,setting_average,iso3,favourable_indicator,indicator_scale,\
ordered_dimension,subgroup_order,reference_subgroup
national,2026-12-06,demo,flu,Flu vaccination,IMD quintile,Quintile 1 (most deprived),69.2,12.8,42.4,87.3,15,10 of 15 people,81.8,GBR,1,100,1,1,0
national,2026-12-06,demo,flu,Flu vaccination,IMD quintile,Quintile 2,,,,,,suppressed: from 1 to 7,81.8,GBR,1,100,1,2,0
national,2026-12-06,demo,htn,,IMD quintile,Quintile 1 (most deprived),58.8,5.97,47.0,69.7,70,,,GBR,1,100,1,1,0
national,2026-12-06,demo,htn,,IMD quintile,Quintile 2,61.2,6.96,47.2,73.6,50,,,GBR,1,100,1,2,1
national,2026-12-06,demo,flu,Flu vaccination,Sex,male,76.2,9.29,54.9,89.4,20,,81.8,GBR,0,1,0,0,0
";

    #[test]
    fn a_heat_plus_table_of_several_strata_lists_them_unless_one_is_named() {
        let e = read_with(HEAT_PLUS, None, None).unwrap_err();
        let EvidenceTextError::ChooseStratum { strata, more } = &e else {
            panic!("{e}");
        };
        assert_eq!(*more, 0);
        let labels: Vec<(usize, &str, usize)> = strata
            .iter()
            .map(|c| (c.number, c.label.as_str(), c.subgroups))
            .collect();
        assert_eq!(
            labels,
            [
                (
                    1,
                    "Flu vaccination by IMD quintile, national, 2026-12-06",
                    2
                ),
                (2, "htn by IMD quintile, national, 2026-12-06", 2),
                (3, "Flu vaccination by Sex, national, 2026-12-06", 1),
            ]
        );
        assert_eq!(
            e.to_string(),
            "the HEAT Plus table holds 3 strata and an evidence table shows one: choose one by \
             its number: 1. Flu vaccination by IMD quintile, national, 2026-12-06; \
             2. htn by IMD quintile, national, 2026-12-06; \
             3. Flu vaccination by Sex, national, 2026-12-06"
        );
        assert_eq!(strata, &super::strata(HEAT_PLUS).unwrap().strata);
        for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY] {
            let e = stratum_number(bad).unwrap_err().to_string();
            assert!(
                e.starts_with("a stratum number is a whole number from 1 up, not "),
                "{e}"
            );
        }
        assert_eq!(
            stratum_number(-1.0).unwrap_err().to_string(),
            "a stratum number is a whole number from 1 up, not -1"
        );
        assert_eq!(stratum_number(3.0), Ok(3));
        assert_eq!(
            read_with(HEAT_PLUS, None, Some(4)),
            Err(EvidenceTextError::NoStratum {
                number: 4,
                count: 3
            })
        );
        assert!(matches!(
            read_with(HEAT_PLUS, None, Some(0)),
            Err(EvidenceTextError::NoStratum { number: 0, .. })
        ));
        // Not a HEAT Plus table: no strata.
        assert_eq!(super::strata("Q1\t1\t40").unwrap().strata, []);
    }

    #[test]
    fn a_heat_plus_stratum_gives_its_rows_by_the_templates_names_and_keeps_suppressed_cells_empty()
    {
        let flu = read_with(HEAT_PLUS, Some("ignored: the file names its own"), Some(1)).unwrap();
        let from = flu.heat_plus.as_ref().unwrap();
        assert_eq!(
            from.stratum,
            "Flu vaccination by IMD quintile, national, 2026-12-06"
        );
        assert_eq!(from.indicator, "Flu vaccination");
        assert!(from.favourable);
        assert_eq!(from.scale, 100.0);
        assert_eq!(
            from.without_estimate,
            ["Quintile 2: suppressed: from 1 to 7"]
        );
        let q1 = &flu.rows[0];
        assert_eq!(
            (q1.dimension.as_str(), q1.subgroup.as_str(), q1.order),
            ("IMD quintile", "Quintile 1 (most deprived)", 1)
        );
        assert_eq!(
            (q1.estimate, q1.se, q1.lower, q1.upper, q1.population),
            (Some(69.2), Some(12.8), Some(42.4), Some(87.3), Some(15.0))
        );
        let q2 = &flu.rows[1];
        assert_eq!(q2.order, 2);
        assert_eq!(
            (q2.estimate, q2.se, q2.lower, q2.upper, q2.population),
            (None, None, None, None, None),
            "a suppressed cell stays empty, never 0"
        );
        // The indicator's short id where it has no name; reference_subgroup → reference.
        let htn = read_with(HEAT_PLUS, None, Some(2)).unwrap();
        assert_eq!(htn.heat_plus.as_ref().unwrap().indicator, "htn");
        assert!(!htn.rows[0].reference && htn.rows[1].reference);
        // An unordered dimension: order 0, the direction and scale of the file.
        let sex = read_with(HEAT_PLUS, None, Some(3)).unwrap();
        assert_eq!(sex.rows[0].order, 0);
        let from = sex.heat_plus.unwrap();
        assert!(!from.favourable);
        assert_eq!(from.scale, 1.0);
        assert_eq!(from.without_estimate, Vec::<String>::new());
    }

    #[test]
    fn a_heat_plus_range_pasted_with_tabs_or_of_one_stratum_needs_no_number() {
        let one: String = HEAT_PLUS.lines().take(3).collect::<Vec<_>>().join("\n");
        let pasted = one.replace(',', "\t");
        let rows = read(&pasted, None).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].estimate, None);
        assert_eq!(rows, read(&one, None).unwrap());
        // Its reader's problems, by row and column, as the data page shows them.
        let bad = one.replace("69.2", "lots");
        let e = read(&bad, None).unwrap_err().to_string();
        assert!(e.contains("row 2, column estimate: is not a number"), "{e}");
        let header_only = HEAT_PLUS.lines().next().unwrap();
        assert_eq!(read(header_only, None), Err(EvidenceTextError::Empty));
    }

    #[test]
    fn strata_past_the_listed_limit_are_counted_and_can_still_be_named() {
        let mut text = HEAT_PLUS.lines().next().unwrap().to_owned();
        for i in 0..MAX_LISTED_STRATA + 5 {
            text.push_str(&format!(
                "\nnational,2026,demo,m{i},,Sex,male,1,,,,,,,,1,100,0,0,0"
            ));
        }
        let e = read(&text, None).unwrap_err();
        let EvidenceTextError::ChooseStratum { strata, more } = &e else {
            panic!("{e}");
        };
        assert_eq!((strata.len(), *more), (MAX_LISTED_STRATA, 5));
        assert!(e.to_string().ends_with("; and 5 more"), "{e}");
        let last = read_with(&text, None, Some(MAX_LISTED_STRATA + 5)).unwrap();
        assert_eq!(
            last.heat_plus.unwrap().stratum,
            format!("m{} by Sex, national, 2026", MAX_LISTED_STRATA + 4)
        );
    }

    #[test]
    fn a_subgroup_given_twice_in_one_paste_is_refused_naming_both_rows() {
        let text = "Quintile 1\t1\t41\nQuintile 2\t2\t38\n quintile 1 \t1\t40\nQuintile 2\t2\t38";
        let e = read(text, Some("IMD quintile")).unwrap_err().to_string();
        assert_eq!(
            e,
            "row 3: quintile 1 is on row 1 too: give each subgroup of a dimension once; \
             row 4: Quintile 2 is on row 2 too: give each subgroup of a dimension once"
        );
        // The same subgroup of two dimensions is two subgroups.
        let two = "Dimension,Subgroup\nSex,Unknown\nEthnic group,Unknown\n";
        assert_eq!(read(two, None).unwrap().len(), 2);
        let none = "Men\t\t1\nMen\t\t2";
        assert_eq!(
            read(none, None).unwrap_err().to_string(),
            "row 2: Men is on row 1 too: give each subgroup of a dimension once"
        );
    }

    fn keys(pairs: &[(&str, &str)]) -> Vec<SubgroupKey> {
        pairs
            .iter()
            .map(|&(d, s)| SubgroupKey {
                dimension: d.to_owned(),
                subgroup: s.to_owned(),
            })
            .collect()
    }

    #[test]
    fn new_rows_replace_the_same_subgroup_in_place_and_the_others_are_added() {
        let table = keys(&[
            ("IMD quintile", "Quintile 1"),
            ("IMD quintile", "Quintile 2"),
            ("Sex", "Men"),
        ]);
        let new = keys(&[
            ("IMD quintile", "Quintile 3"),
            (" imd QUINTILE", "quintile 2 "),
            ("Sex", "Women"),
            ("IMD quintile", "Quintile 1"),
        ]);
        let p = place(&table, &new);
        // The table's rows are 0 to 2, the new ones 3 to 6.
        assert_eq!(p.rows, [6, 4, 2, 3, 5]);
        assert_eq!((p.added, p.replaced), (2, 2));
        // An empty table: every row added, in order.
        let p = place(&[], &new);
        assert_eq!(p.rows, [0, 1, 2, 3]);
        assert_eq!((p.added, p.replaced), (4, 0));
        // A table that has a subgroup twice: the first is replaced, the second kept; a second
        // new row of that subgroup is added, never dropped.
        let twice = keys(&[("Sex", "Men"), ("Sex", "Men")]);
        let p = place(&twice, &keys(&[("Sex", "Men"), ("Sex", "Men")]));
        assert_eq!(p.rows, [2, 1, 3]);
        assert_eq!((p.added, p.replaced), (1, 1));
    }

    proptest::proptest! {
        /// Every table row is kept or replaced once, every new row placed once; the counts add up.
        #[test]
        fn placing_keeps_every_row_once(
            table in proptest::collection::vec((0u8..3, 0u8..4), 0..12),
            new in proptest::collection::vec((0u8..3, 0u8..4), 0..12),
        ) {
            let k = |v: &[(u8, u8)]| -> Vec<SubgroupKey> {
                v.iter().map(|&(d, s)| SubgroupKey { dimension: format!("d{d}"), subgroup: format!("s{s}") }).collect()
            };
            let (table, new) = (k(&table), k(&new));
            let p = place(&table, &new);
            let n = table.len();
            let mut kept: Vec<usize> = p.rows.iter().copied().filter(|&i| i < n).collect();
            let mut placed: Vec<usize> = p.rows.iter().filter_map(|&i| i.checked_sub(n)).collect();
            crate::sort::sort_by(&mut kept, usize::cmp);
            crate::sort::sort_by(&mut placed, usize::cmp);
            proptest::prop_assert_eq!(placed, (0..new.len()).collect::<Vec<_>>());
            proptest::prop_assert_eq!(kept.len() + p.replaced, table.len());
            proptest::prop_assert_eq!(p.added + p.replaced, new.len());
            proptest::prop_assert_eq!(p.rows.len(), table.len() + p.added);
            // A replaced row's place holds a new row of its subgroup.
            for (i, &t) in p.rows.iter().enumerate().take(n) {
                if t >= n {
                    proptest::prop_assert_eq!(table[i].folded(), new[t - n].folded());
                }
            }
        }
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
