//! Loading a [`DeprivationIndex`] from CSV, detecting the file's layout from its header.

use std::collections::HashMap;
use std::io::Read;

use super::{AreaCode, DeprivationIndex, ImdDecile, ImdEdition, Nation, phf::PerfectHash};
use crate::number::Num;

/// The most columns an IMD file may have: 256. The widest published file (the English "File 7",
/// every rank, decile and score of the index, its domains and sub-domains) has fewer than 60;
/// a wider header is refused before any row is read.
pub const MAX_IMD_COLUMNS: usize = 256;

/// The most domain decile columns (`<Domain>_decile`, or File 7's `<Domain> Decile (…)`) an IMD
/// file may have: 32. Published indices have 7 to 9 domains, and File 7 adds a few sub-domains.
/// Each domain costs 9 bytes per area.
pub const MAX_IMD_DOMAINS: usize = 32;

/// The longest row an IMD file may have, in bytes: 64 KiB. Rows of the published files are
/// under 2 KB (the File 7 header, the longest line, about 5 KB); a longer row, usually a quote
/// left open that swallows the rest of the file, is refused as soon as it passes the limit,
/// instead of being held in memory whole.
pub const MAX_IMD_ROW_BYTES: usize = 1 << 16;

/// The most areas (rows) an IMD file may have: 1,000,000. The largest published index has
/// 33,755 (England 2025); the limit keeps the memory of a hostile file bounded (about 330 bytes
/// per area at most).
pub const MAX_IMD_AREAS: usize = 1_000_000;

/// The column layout of an IMD file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Layout {
    /// The tabulated layout of `../shared/data/imd/` (the `IMD` R package): `lsoa11_code`,
    /// `IMD_decile`, `IMD_rank`, optional `IMD_score`, and `<Domain>_decile` / `_rank` / `_score`.
    Tabulated,
    /// The official English "File 7" CSV: `LSOA code (2011)`, `Index of Multiple Deprivation
    /// (IMD) Decile (where 1 is most deprived 10% of LSOAs)`, and the same for each domain.
    File7,
}

/// Why an IMD file could not be loaded. Lines are numbered as in the file (the header is line 1).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The header matches no known layout.
    #[error(
        "unrecognised IMD file layout: the header has no area code column; it needs one of {needed} \
         (header was: {found})"
    )]
    UnknownLayout {
        /// The columns that would have identified a layout.
        needed: String,
        /// The header as read.
        found: String,
    },
    /// A layout was recognised but a column it needs is missing.
    #[error("IMD file ({layout:?} layout) is missing the column {column:?} (header was: {found})")]
    MissingColumn {
        /// The layout recognised.
        layout: Layout,
        /// The missing column.
        column: String,
        /// The header as read.
        found: String,
    },
    /// The CSV itself is malformed.
    #[error("IMD file line {line}: {message}")]
    Csv {
        /// Line number.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// A value that is not what its column holds.
    #[error("IMD file line {line}, column {column:?}: {value:?} is not {expected}")]
    BadValue {
        /// Line number.
        line: u64,
        /// Column name.
        column: String,
        /// The value as read.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// An area listed twice.
    #[error("IMD file line {line}: area {code} is listed twice (first on line {first_line})")]
    DuplicateArea {
        /// The code.
        code: String,
        /// Where it appears again.
        line: u64,
        /// Where it first appeared.
        first_line: u64,
    },
    /// Codes of more than one nation, or of a nation the layout does not match.
    #[error(
        "IMD file line {line}: area {code} does not belong to {edition} (expected codes like {example})"
    )]
    WrongNation {
        /// Line number.
        line: u64,
        /// The code.
        code: String,
        /// The edition detected.
        edition: ImdEdition,
        /// An example of a valid code.
        example: &'static str,
    },
    /// The header names a boundary vintage with codes of a nation equitas has no edition for.
    #[error("IMD file: {column:?} with codes like {code} matches no known edition ({known})")]
    UnknownEdition {
        /// The code column.
        column: String,
        /// The first code.
        code: String,
        /// Known editions.
        known: String,
    },
    /// The caller asked for one edition and the file is another.
    #[error("IMD file is {found}, not the {expected} that was asked for")]
    EditionMismatch {
        /// What was asked for.
        expected: ImdEdition,
        /// What the file is.
        found: ImdEdition,
    },
    /// A file with a header and no areas.
    #[error("IMD file has a header but no areas")]
    Empty,
    /// More columns, domains or areas than an IMD file has ([`MAX_IMD_COLUMNS`],
    /// [`MAX_IMD_DOMAINS`], [`MAX_IMD_AREAS`]).
    #[error("IMD file has {found} {what}; at most {limit} are read ({name}: {why})")]
    TooLarge {
        /// What there are too many of (`columns`, `domain decile columns`, `areas`).
        what: &'static str,
        /// How many were found (for areas: one more than the limit, where reading stopped).
        found: usize,
        /// The limit.
        limit: usize,
        /// The limit's name in `equitas_core::deprivation`.
        name: &'static str,
        /// Why the limit is safe for real files.
        why: &'static str,
    },
    /// A decile that is not the one the area's rank puts it in.
    #[error(
        "IMD file line {line}: area {code} has {decile_column} {decile} but {rank_column} \
         {rank}; of the {areas} areas of {edition}, decile {decile} covers ranks {first} to {last}",
        rank = Num(*rank)
    )]
    DecileContradictsRank {
        /// Line number.
        line: u64,
        /// The area code.
        code: AreaCode,
        /// The decile column.
        decile_column: String,
        /// The decile given.
        decile: u8,
        /// The rank column.
        rank_column: String,
        /// The rank given.
        rank: f64,
        /// Areas ranked: the edition's published count (or the file's, if larger).
        areas: usize,
        /// The edition.
        edition: ImdEdition,
        /// The first rank of the decile given.
        first: u64,
        /// The last rank of the decile given.
        last: u64,
    },
    /// Reading failed.
    #[error("IMD file could not be read: {0}")]
    Io(#[from] std::io::Error),
    /// The lookup table could not be built (only possible with duplicate codes, which are
    /// reported as [`LoadError::DuplicateArea`] first).
    #[error("IMD file: {0}")]
    Index(#[from] super::phf::BuildError),
}

/// Code columns of the tabulated layout, and the edition family each implies.
const TABULATED_CODES: [&str; 4] = ["lsoa11_code", "lsoa21_code", "dz11_code", "soa01_code"];
const FILE7_CODES: [&str; 2] = ["LSOA code (2011)", "LSOA code (2021)"];
const FILE7_DECILE_SUFFIX: &str = " Decile (where 1 is most deprived 10% of LSOAs)";
const FILE7_RANK_SUFFIX: &str = " Rank (where 1 is most deprived)";
const FILE7_IMD: &str = "Index of Multiple Deprivation (IMD)";
const FILE7_DISTRICTS: [&str; 3] = [
    "Local Authority District code (2019)",
    "Local Authority District code (2024)",
    "Local Authority District code (2023)",
];

struct Columns {
    layout: Layout,
    code: usize,
    code_name: String,
    decile: usize,
    rank: usize,
    score: Option<usize>,
    /// (name, decile column, rank column)
    domains: Vec<(String, usize, Option<usize>)>,
    district: Option<usize>,
}

/// The header's column names, each to its first position: finding a column is one lookup, so
/// detecting the layout is linear in the header's length.
struct Names<'a>(HashMap<&'a str, usize>);

impl<'a> Names<'a> {
    fn new(header: &'a [String]) -> Self {
        let mut map = HashMap::with_capacity(header.len());
        for (i, h) in header.iter().enumerate() {
            map.entry(h.as_str()).or_insert(i);
        }
        Self(map)
    }
}

fn find(names: &Names<'_>, name: &str) -> Option<usize> {
    names.0.get(name).copied()
}

/// The domain columns: for each header name `domain` recognises, its name, column and rank
/// column. More than [`MAX_IMD_DOMAINS`] is an error.
fn domains(
    header: &[String],
    domain: impl Fn(&str) -> Option<(String, Option<usize>)>,
) -> Result<Vec<(String, usize, Option<usize>)>, LoadError> {
    let mut out = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if let Some((name, rank)) = domain(h) {
            if out.len() == MAX_IMD_DOMAINS {
                return Err(LoadError::TooLarge {
                    what: "domain decile columns",
                    found: header.iter().filter(|h| domain(h).is_some()).count(),
                    limit: MAX_IMD_DOMAINS,
                    name: "MAX_IMD_DOMAINS",
                    why: "published indices have at most a dozen or so",
                });
            }
            out.push((name, i, rank));
        }
    }
    Ok(out)
}

fn detect(header: &[String]) -> Result<Columns, LoadError> {
    let found = header.join(",");
    let names = Names::new(header);
    let need = |layout, column: &str| {
        find(&names, column).ok_or_else(|| LoadError::MissingColumn {
            layout,
            column: column.to_owned(),
            found: found.clone(),
        })
    };
    if let Some((code, name)) = TABULATED_CODES
        .iter()
        .find_map(|c| find(&names, c).map(|i| (i, *c)))
    {
        let layout = Layout::Tabulated;
        let decile = need(layout, "IMD_decile")?;
        let rank = need(layout, "IMD_rank")?;
        let score = find(&names, "IMD_score");
        let domains = domains(header, |h| {
            let name = h.strip_suffix("_decile")?;
            (name != "IMD").then(|| (name.to_owned(), find(&names, &format!("{name}_rank"))))
        })?;
        return Ok(Columns {
            layout,
            code,
            code_name: name.to_owned(),
            decile,
            rank,
            score,
            domains,
            district: None,
        });
    }
    if let Some((code, name)) = FILE7_CODES
        .iter()
        .find_map(|c| find(&names, c).map(|i| (i, *c)))
    {
        let layout = Layout::File7;
        let decile = need(layout, &format!("{FILE7_IMD}{FILE7_DECILE_SUFFIX}"))?;
        let rank = need(layout, &format!("{FILE7_IMD}{FILE7_RANK_SUFFIX}"))?;
        let score = find(&names, &format!("{FILE7_IMD} Score"));
        let domains = domains(header, |h| {
            let name = h.strip_suffix(FILE7_DECILE_SUFFIX)?;
            (name != FILE7_IMD).then(|| {
                (
                    name.to_owned(),
                    find(&names, &format!("{name}{FILE7_RANK_SUFFIX}")),
                )
            })
        })?;
        let district = FILE7_DISTRICTS.iter().find_map(|c| find(&names, c));
        return Ok(Columns {
            layout,
            code,
            code_name: name.to_owned(),
            decile,
            rank,
            score,
            domains,
            district,
        });
    }
    Err(LoadError::UnknownLayout {
        needed: format!(
            "{} (with IMD_decile and IMD_rank), or the File 7 columns {} (with \"{FILE7_IMD}{FILE7_DECILE_SUFFIX}\")",
            TABULATED_CODES.join(", "),
            FILE7_CODES.map(|c| format!("{c:?}")).join(" or ")
        ),
        found,
    })
}

/// The edition implied by the code column and the first code's nation.
fn edition_of(code_column: &str, first: AreaCode) -> Result<ImdEdition, LoadError> {
    let nation = match first.first_char() {
        'E' => Some(Nation::England),
        'W' => Some(Nation::Wales),
        'S' => Some(Nation::Scotland),
        '9' => Some(Nation::NorthernIreland),
        _ => None,
    };
    let edition = match (code_column, nation) {
        ("lsoa11_code" | "LSOA code (2011)", Some(Nation::England)) => {
            Some(ImdEdition::England2019)
        }
        ("lsoa21_code" | "LSOA code (2021)", Some(Nation::England)) => {
            Some(ImdEdition::England2025)
        }
        ("lsoa11_code", Some(Nation::Wales)) => Some(ImdEdition::Wales2019),
        ("dz11_code", Some(Nation::Scotland)) => Some(ImdEdition::Scotland2020),
        ("soa01_code", Some(Nation::NorthernIreland)) => Some(ImdEdition::NorthernIreland2017),
        _ => None,
    };
    edition.ok_or_else(|| LoadError::UnknownEdition {
        column: code_column.to_owned(),
        code: first.to_string(),
        known: ImdEdition::ALL.map(ImdEdition::id).join(", "),
    })
}

fn example_code(e: ImdEdition) -> &'static str {
    match e {
        ImdEdition::England2019 | ImdEdition::England2025 => "E01000001",
        ImdEdition::Wales2019 => "W01000001",
        ImdEdition::Scotland2020 => "S01006506",
        ImdEdition::NorthernIreland2017 => "95AA01S1",
    }
}

fn nation_matches(e: ImdEdition, code: AreaCode) -> bool {
    let c = code.first_char();
    match e.nation() {
        Nation::England => c == 'E',
        Nation::Wales => c == 'W',
        Nation::Scotland => c == 'S',
        Nation::NorthernIreland => c == '9',
    }
}

/// A reader that fails once a CSV row (text between line ends outside quotes) grows past
/// [`MAX_IMD_ROW_BYTES`], so the CSV reader never buffers more than that for one row.
struct RowGuard<R> {
    inner: R,
    quoted: bool,
    /// Bytes of the current row so far.
    row: usize,
    /// Line the current row starts on (the header is line 1).
    line: u64,
    /// Lines seen so far.
    lines: u64,
}

impl<R: Read> Read for RowGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or_default();
        let mut start = 0;
        for i in memchr::memchr2_iter(b'"', b'\n', data) {
            self.row += i + 1 - start;
            start = i + 1;
            if data[i] == b'"' {
                self.quoted = !self.quoted;
                continue;
            }
            self.lines += 1;
            if !self.quoted {
                self.check()?;
                self.row = 0;
                self.line = self.lines + 1;
            }
        }
        self.row += n - start;
        self.check()?;
        Ok(n)
    }
}

impl<R> RowGuard<R> {
    fn check(&self) -> std::io::Result<()> {
        if self.row <= MAX_IMD_ROW_BYTES {
            return Ok(());
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the row starting on line {} is longer than {MAX_IMD_ROW_BYTES} bytes, the most \
                 read (MAX_IMD_ROW_BYTES; rows of published IMD files are under 2 KB){}",
                self.line,
                if self.quoted {
                    ": a quote opened in it is never closed"
                } else {
                    ""
                }
            ),
        ))
    }
}

fn field(rec: &csv::StringRecord, i: usize) -> &str {
    rec.get(i).unwrap_or("").trim()
}

/// A CSV reader's error as a [`LoadError`]: a failed read, or malformed CSV at its line.
fn csv_error(e: csv::Error) -> LoadError {
    let line = e.position().map_or(0, csv::Position::line);
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => LoadError::Io(io),
        _ => LoadError::Csv { line, message },
    }
}

/// The header's column names, trimmed (and without a byte order mark); more than
/// [`MAX_IMD_COLUMNS`] is an error.
fn read_header<R: Read>(rdr: &mut csv::Reader<R>) -> Result<Vec<String>, LoadError> {
    let header: Vec<String> = rdr
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    if header.len() > MAX_IMD_COLUMNS {
        return Err(LoadError::TooLarge {
            what: "columns",
            found: header.len(),
            limit: MAX_IMD_COLUMNS,
            name: "MAX_IMD_COLUMNS",
            why: "the widest published file has fewer than 60",
        });
    }
    Ok(header)
}

/// One data row of the file, with its line, for reading its cells.
struct Row<'a> {
    rec: &'a csv::StringRecord,
    header: &'a [String],
    line: u64,
}

impl<'a> Row<'a> {
    fn new(rec: &'a csv::StringRecord, header: &'a [String]) -> Self {
        let line = rec.position().map_or(0, csv::Position::line);
        Self { rec, header, line }
    }

    /// The cell in column `col`, trimmed.
    fn field(&self, col: usize) -> &'a str {
        field(self.rec, col)
    }

    /// [`LoadError::BadValue`] for the cell in column `col`.
    fn bad(&self, col: usize, expected: &'static str) -> LoadError {
        LoadError::BadValue {
            line: self.line,
            column: self.header.get(col).cloned().unwrap_or_default(),
            value: self.field(col).to_owned(),
            expected,
        }
    }
}

/// The file's areas as read so far, one column per field, in file order.
struct Table {
    codes: Vec<AreaCode>,
    /// The line of each area, for errors found once every row is in.
    lines: Vec<u64>,
    deciles: Vec<ImdDecile>,
    ranks: Vec<u32>,
    scores: Option<Vec<f64>>,
    /// Each area's domain deciles, one after the other (as many per area as domains).
    domain_deciles: Vec<u8>,
    /// Each area's domain ranks, likewise (NaN where a domain has no rank column).
    domain_ranks: Vec<f64>,
    districts: Option<Vec<AreaCode>>,
    /// The edition, known from the first area's code.
    edition: Option<ImdEdition>,
}

impl Table {
    /// An empty table for the columns found, with room for a published file's areas.
    fn new(cols: &Columns) -> Self {
        let n_domains = cols.domains.len();
        Self {
            codes: Vec::with_capacity(33_000),
            lines: Vec::with_capacity(33_000),
            deciles: Vec::with_capacity(33_000),
            ranks: Vec::with_capacity(33_000),
            scores: cols.score.map(|_| Vec::with_capacity(33_000)),
            domain_deciles: Vec::with_capacity(33_000 * n_domains),
            domain_ranks: Vec::with_capacity(33_000 * n_domains),
            districts: cols.district.map(|_| Vec::with_capacity(33_000)),
            edition: None,
        }
    }

    /// Reads one row: its code (whose nation must be the edition's; the first code decides
    /// the edition), decile, rank, score, domains and district, in that order, the first bad
    /// value an error. More than [`MAX_IMD_AREAS`] rows is an error.
    fn push(&mut self, row: &Row<'_>, cols: &Columns) -> Result<(), LoadError> {
        if self.codes.len() == MAX_IMD_AREAS {
            return Err(LoadError::TooLarge {
                what: "areas",
                found: MAX_IMD_AREAS + 1,
                limit: MAX_IMD_AREAS,
                name: "MAX_IMD_AREAS",
                why: "the largest published index has 33,755",
            });
        }
        let code = AreaCode::parse(row.field(cols.code))
            .map_err(|_| row.bad(cols.code, "an area code"))?;
        let ed = match self.edition {
            Some(e) => e,
            None => *self.edition.insert(edition_of(&cols.code_name, code)?),
        };
        if !nation_matches(ed, code) {
            return Err(LoadError::WrongNation {
                line: row.line,
                code: code.to_string(),
                edition: ed,
                example: example_code(ed),
            });
        }
        let decile = row
            .field(cols.decile)
            .parse::<u8>()
            .ok()
            .and_then(|d| ImdDecile::new(d).ok())
            .ok_or_else(|| row.bad(cols.decile, "a decile from 1 to 10"))?;
        let rank = row
            .field(cols.rank)
            .parse::<u32>()
            .ok()
            .filter(|r| *r >= 1)
            .ok_or_else(|| row.bad(cols.rank, "a rank of 1 or more"))?;
        if let (Some(s), Some(col)) = (self.scores.as_mut(), cols.score) {
            let v = row
                .field(col)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| row.bad(col, "a number"))?;
            s.push(v);
        }
        self.push_domains(row, cols)?;
        if let (Some(ds), Some(col)) = (self.districts.as_mut(), cols.district) {
            ds.push(AreaCode::parse(row.field(col)).map_err(|_| row.bad(col, "a district code"))?);
        }
        self.codes.push(code);
        self.lines.push(row.line);
        self.deciles.push(decile);
        self.ranks.push(rank);
        Ok(())
    }

    /// Each domain's decile and (when it has a rank column) rank, in column order.
    fn push_domains(&mut self, row: &Row<'_>, cols: &Columns) -> Result<(), LoadError> {
        for &(_, dcol, rcol) in &cols.domains {
            let d = row
                .field(dcol)
                .parse::<u8>()
                .ok()
                .filter(|d| (1..=10).contains(d))
                .ok_or_else(|| row.bad(dcol, "a decile from 1 to 10"))?;
            self.domain_deciles.push(d);
            let r = match rcol {
                Some(rc) => row
                    .field(rc)
                    .parse::<f64>()
                    .ok()
                    .filter(|r| *r >= 1.0 && r.is_finite())
                    .ok_or_else(|| row.bad(rc, "a rank of 1 or more"))?,
                None => f64::NAN,
            };
            self.domain_ranks.push(r);
        }
        Ok(())
    }

    /// The checks that need every row: no area listed twice, then the IMD's deciles against
    /// its ranks, then each ranked domain's.
    fn check(
        &self,
        edition: ImdEdition,
        header: &[String],
        cols: &Columns,
    ) -> Result<(), LoadError> {
        if let Some(e) = duplicate(&self.codes, &self.lines) {
            return Err(e);
        }
        let n_domains = cols.domains.len();
        let areas = edition.published_areas().max(self.codes.len());
        let at = |i: usize| (self.lines[i], self.codes[i]);
        let imd_ranks: Vec<f64> = self.ranks.iter().map(|r| f64::from(*r)).collect();
        check_deciles(
            &imd_ranks,
            |i| self.deciles[i].get(),
            at,
            (&header[cols.decile], &header[cols.rank]),
            areas,
            edition,
        )?;
        for (k, &(_, dcol, rcol)) in cols.domains.iter().enumerate() {
            let Some(rcol) = rcol else { continue };
            let domain_rank: Vec<f64> = self
                .domain_ranks
                .iter()
                .skip(k)
                .step_by(n_domains)
                .copied()
                .collect();
            check_deciles(
                &domain_rank,
                |i| self.domain_deciles[i * n_domains + k],
                at,
                (&header[dcol], &header[rcol]),
                areas,
                edition,
            )?;
        }
        Ok(())
    }
}

impl DeprivationIndex {
    /// Load an index from a CSV reader, detecting the layout and the edition, and check every
    /// decile against its rank: decile d holds the d-th tenth of the edition's areas by rank,
    /// with the published files' rounding at the ends of a tenth and their ties allowed.
    ///
    /// # Errors
    /// An unknown layout (listing the columns it needed), a missing column, a bad value (with
    /// line, column and value), a duplicate area, codes of the wrong nation, a decile that
    /// contradicts its rank ([`LoadError::DecileContradictsRank`]), more columns, domains, areas
    /// or row bytes than the limits ([`MAX_IMD_COLUMNS`], [`MAX_IMD_DOMAINS`],
    /// [`MAX_IMD_AREAS`], [`MAX_IMD_ROW_BYTES`]), or a read error.
    pub fn from_csv<R: Read>(reader: R) -> Result<Self, LoadError> {
        let guarded = RowGuard {
            inner: reader,
            quoted: false,
            row: 0,
            line: 1,
            lines: 0,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(guarded);
        let header = read_header(&mut rdr)?;
        let cols = detect(&header)?;
        let mut table = Table::new(&cols);
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(e)),
            }
            table.push(&Row::new(&rec, &header), &cols)?;
        }
        let edition = table.edition.ok_or(LoadError::Empty)?;
        table.check(edition, &header, &cols)?;
        let keys: Vec<u64> = table.codes.iter().map(|c| c.key()).collect();
        let lookup = PerfectHash::build(&keys)?;
        Ok(Self {
            edition,
            codes: table.codes,
            deciles: table.deciles,
            ranks: table.ranks,
            scores: table.scores,
            domains: cols.domains.into_iter().map(|(n, _, _)| n).collect(),
            domain_deciles: table.domain_deciles,
            domain_ranks: table.domain_ranks,
            districts: table.districts,
            layout: cols.layout,
            lookup,
        })
    }

    /// Load an index and check it is the edition the caller expects.
    ///
    /// # Errors
    /// As [`Self::from_csv`], or [`LoadError::EditionMismatch`].
    pub fn from_csv_as<R: Read>(reader: R, expected: ImdEdition) -> Result<Self, LoadError> {
        let index = Self::from_csv(reader)?;
        if index.edition == expected {
            Ok(index)
        } else {
            Err(LoadError::EditionMismatch {
                expected,
                found: index.edition,
            })
        }
    }

    /// Load an index from a file path.
    ///
    /// # Errors
    /// As [`Self::from_csv`], or the file cannot be opened.
    pub fn from_path(path: &std::path::Path) -> Result<Self, LoadError> {
        let f = std::fs::File::open(path)?;
        Self::from_csv(std::io::BufReader::new(f))
    }
}

/// The ranks decile `d` covers among `areas` ranked areas: the `d`-th tenth, from
/// ⌊areas·(d−1)/10⌋ + 1 to ⌈areas·d/10⌉. Where a tenth does not end on a whole rank, the rank
/// that straddles it may be in either decile: the English indices put it in the lower decile
/// (decile = ⌈10·rank/areas⌉), WIMD 2019 and SIMD 2020 in the higher one, and both are accepted.
fn decile_covers(areas: usize, d: u8) -> (u64, u64) {
    let n = areas as u64;
    let d = u64::from(d);
    ((n * (d - 1)) / 10 + 1, (n * d).div_ceil(10))
}

/// Every area's decile (`decile(i)`) must be the one its rank (`ranks[i]`) puts it in among
/// `areas` ranked areas ([`decile_covers`]). Tied areas share a rank, and the published files
/// give ties the lowest, the average (SIMD's halves, 4563.5) or another rank of the run they
/// occupy, so an area whose rank `t` other areas of the file share may be anywhere from
/// `rank − t` to `rank + t`. The first area (in file order) whose decile contradicts its rank
/// is [`LoadError::DecileContradictsRank`], naming the line, code, rank and decile.
fn check_deciles(
    ranks: &[f64],
    decile: impl Fn(usize) -> u8,
    at: impl Fn(usize) -> (u64, AreaCode),
    (decile_column, rank_column): (&str, &str),
    areas: usize,
    edition: ImdEdition,
) -> Result<(), LoadError> {
    let Some(i) = first_contradiction(ranks, &decile, areas) else {
        return Ok(());
    };
    let (line, code) = at(i);
    let d = decile(i);
    let (first, last) = decile_covers(areas, d);
    Err(LoadError::DecileContradictsRank {
        line,
        code,
        decile_column: decile_column.to_owned(),
        decile: d,
        rank_column: rank_column.to_owned(),
        rank: ranks[i],
        areas,
        edition,
        first,
        last,
    })
}

/// Whether an area of rank `rank`, which `t` other areas share, may be in the decile covering
/// ranks `first` to `last`.
#[allow(
    clippy::cast_precision_loss,
    reason = "ranks and counts of areas are far below 2^52"
)]
fn fits(rank: f64, t: usize, (first, last): (u64, u64)) -> bool {
    let t = t as f64;
    rank + t >= first as f64 && rank - t <= last as f64
}

/// The first area whose decile its rank contradicts ([`check_deciles`]). A rank inside its
/// decile fits whatever its ties (they only widen the range), so ties are counted, from the
/// ranks sorted once, only for the few areas that do not fit alone: a published file costs one
/// pass and no sort. `first_contradiction_simple` in the tests counts every area's ties and
/// must agree on every input.
fn first_contradiction(ranks: &[f64], decile: impl Fn(usize) -> u8, areas: usize) -> Option<usize> {
    let mut sorted: Option<Vec<f64>> = None;
    ranks.iter().enumerate().position(|(i, &rank)| {
        let covers = decile_covers(areas, decile(i));
        if fits(rank, 0, covers) {
            return false;
        }
        let sorted = sorted.get_or_insert_with(|| {
            let mut s = ranks.to_vec();
            s.sort_unstable_by(f64::total_cmp);
            s
        });
        let ties = sorted.partition_point(|r| *r <= rank) - sorted.partition_point(|r| *r < rank);
        !fits(rank, ties.saturating_sub(1), covers)
    })
}

/// A code listed twice, with the lines of its first two listings (sorting, not hashing).
fn duplicate(codes: &[AreaCode], lines: &[u64]) -> Option<LoadError> {
    let mut order: Vec<usize> = (0..codes.len()).collect();
    order.sort_unstable_by_key(|&i| (codes[i], i));
    order
        .windows(2)
        .find(|w| codes[w[0]] == codes[w[1]])
        .map(|w| LoadError::DuplicateArea {
            code: codes[w[1]].to_string(),
            line: lines[w[1]],
            first_line: lines[w[0]],
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The check as specified, counting every area's ties: the reference for
    /// [`first_contradiction`].
    fn first_contradiction_simple(ranks: &[f64], deciles: &[u8], areas: usize) -> Option<usize> {
        (0..ranks.len()).find(|&i| {
            let ties = ranks.iter().filter(|r| **r == ranks[i]).count();
            !fits(ranks[i], ties - 1, decile_covers(areas, deciles[i]))
        })
    }

    proptest! {
        /// The fast check gives the same answer as the simple one: ranks drawn from a few
        /// values (so many tie), halves included, any decile, files larger or smaller than
        /// the index.
        #[test]
        fn the_fast_decile_check_agrees_with_the_simple_one(
            rows in proptest::collection::vec((0u32..80, 1u8..=10), 0..60),
            areas in 1usize..70,
        ) {
            let ranks: Vec<f64> = rows.iter().map(|(r, _)| f64::from(*r) / 2.0 + 1.0).collect();
            let deciles: Vec<u8> = rows.iter().map(|(_, d)| *d).collect();
            prop_assert_eq!(
                first_contradiction(&ranks, |i| deciles[i], areas),
                first_contradiction_simple(&ranks, &deciles, areas)
            );
        }
    }

    #[test]
    fn file7_layout() {
        let csv = "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),\
Index of Multiple Deprivation (IMD) Score,Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),\
Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),\
Income Score (rate),Income Rank (where 1 is most deprived),Income Decile (where 1 is most deprived 10% of LSOAs)
E01000001,City of London 001A,E09000001,6.208,29199,9,0.007,32831,10
E01000002,City of London 001B,E09000001,5.143,30379,10,0.034,29901,10
";
        let idx = DeprivationIndex::from_csv(csv.as_bytes()).unwrap();
        assert_eq!(idx.edition(), ImdEdition::England2019);
        assert_eq!(idx.domains(), ["Income"]);
        let a = idx.area(idx.lookup(AreaCode::parse("E01000002").unwrap()).unwrap());
        assert_eq!(a.decile().get(), 10);
        assert_eq!(a.rank(), 30379);
        assert_eq!(a.score(), Some(5.143));
        assert_eq!(a.domain_deciles(), [10]);
        assert_eq!(a.domain_rank(0), Some(29901.0));
        assert_eq!(a.domain_rank(1), None);
        assert_eq!(a.district().unwrap().to_string(), "E09000001");
    }

    #[test]
    fn unknown_layout_lists_what_it_needed() {
        let err = DeprivationIndex::from_csv("code,decile\nE01000001,1\n".as_bytes()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("lsoa11_code"), "{msg}");
        assert!(msg.contains("LSOA code (2011)"), "{msg}");
        assert!(msg.contains("header was: code,decile"), "{msg}");
    }

    #[test]
    fn bad_values_name_line_column_and_value() {
        let err = DeprivationIndex::from_csv(
            "lsoa11_code,IMD_decile,IMD_rank\nE01000001,1,5\nE01000002,11,6\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "IMD file line 3, column \"IMD_decile\": \"11\" is not a decile from 1 to 10"
        );
        let err = DeprivationIndex::from_csv(
            "lsoa11_code,IMD_decile,IMD_rank\nE01000001,1,5\nE01000001,2,6\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "IMD file line 3: area E01000001 is listed twice (first on line 2)"
        );
        // Lines are the file's, even after a quoted field that spans two lines.
        let err = DeprivationIndex::from_csv(
            "lsoa11_code,name,IMD_decile,IMD_rank\nE01000001,\"a\nb\",1,5\nE01000002,c,2,6\nE01000001,d,2,7\n"
                .as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "IMD file line 5: area E01000001 is listed twice (first on line 2)"
        );
        let err = DeprivationIndex::from_csv(
            "lsoa11_code,IMD_decile,IMD_rank\nE01000001,1,5\nW01000002,2,6\n".as_bytes(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("W01000002 does not belong to england-2019"),
            "{err}"
        );
        let err = DeprivationIndex::from_csv("lsoa11_code,IMD_rank\nE01000001,5\n".as_bytes())
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("missing the column \"IMD_decile\""),
            "{err}"
        );
        let err =
            DeprivationIndex::from_csv("lsoa11_code,IMD_decile,IMD_rank\n".as_bytes()).unwrap_err();
        assert!(matches!(err, LoadError::Empty));
    }
}
