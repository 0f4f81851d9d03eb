//! Loading a [`DeprivationIndex`] from CSV, detecting the file's layout from its header.

use std::io::Read;

use super::{AreaCode, DeprivationIndex, ImdDecile, ImdEdition, Nation, phf::PerfectHash};

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

fn find(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

fn detect(header: &[String]) -> Result<Columns, LoadError> {
    let found = header.join(",");
    let need = |layout, column: &str| {
        find(header, column).ok_or_else(|| LoadError::MissingColumn {
            layout,
            column: column.to_owned(),
            found: found.clone(),
        })
    };
    if let Some((code, name)) = TABULATED_CODES
        .iter()
        .find_map(|c| find(header, c).map(|i| (i, *c)))
    {
        let layout = Layout::Tabulated;
        let decile = need(layout, "IMD_decile")?;
        let rank = need(layout, "IMD_rank")?;
        let score = find(header, "IMD_score");
        let domains = header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let name = h.strip_suffix("_decile")?;
                (name != "IMD").then(|| (name.to_owned(), i, find(header, &format!("{name}_rank"))))
            })
            .collect();
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
        .find_map(|c| find(header, c).map(|i| (i, *c)))
    {
        let layout = Layout::File7;
        let decile = need(layout, &format!("{FILE7_IMD}{FILE7_DECILE_SUFFIX}"))?;
        let rank = need(layout, &format!("{FILE7_IMD}{FILE7_RANK_SUFFIX}"))?;
        let score = find(header, &format!("{FILE7_IMD} Score"));
        let domains = header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let name = h.strip_suffix(FILE7_DECILE_SUFFIX)?;
                (name != FILE7_IMD).then(|| {
                    (
                        name.to_owned(),
                        i,
                        find(header, &format!("{name}{FILE7_RANK_SUFFIX}")),
                    )
                })
            })
            .collect();
        let district = FILE7_DISTRICTS.iter().find_map(|c| find(header, c));
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

fn field(rec: &csv::StringRecord, i: usize) -> &str {
    rec.get(i).unwrap_or("").trim()
}

impl DeprivationIndex {
    /// Load an index from a CSV reader, detecting the layout and the edition.
    ///
    /// # Errors
    /// An unknown layout (listing the columns it needed), a missing column, a bad value (with
    /// line, column and value), a duplicate area, codes of the wrong nation, or a read error.
    pub fn from_csv<R: Read>(reader: R) -> Result<Self, LoadError> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(reader);
        let csv_err = |e: csv::Error| LoadError::Csv {
            line: e.position().map_or(0, csv::Position::line),
            message: e.to_string(),
        };
        let header: Vec<String> = rdr
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        let cols = detect(&header)?;
        let n_domains = cols.domains.len();

        let mut codes = Vec::with_capacity(33_000);
        let mut lines = Vec::with_capacity(33_000);
        let mut deciles = Vec::with_capacity(33_000);
        let mut ranks = Vec::with_capacity(33_000);
        let mut scores = cols.score.map(|_| Vec::with_capacity(33_000));
        let mut domain_deciles = Vec::with_capacity(33_000 * n_domains);
        let mut domain_ranks = Vec::with_capacity(33_000 * n_domains);
        let mut districts = cols.district.map(|_| Vec::with_capacity(33_000));
        let mut edition = None;

        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_err(e)),
            }
            let line = rec.position().map_or(0, csv::Position::line);
            let bad = |col: usize, expected: &'static str| LoadError::BadValue {
                line,
                column: header.get(col).cloned().unwrap_or_default(),
                value: field(&rec, col).to_owned(),
                expected,
            };
            let code = AreaCode::parse(field(&rec, cols.code))
                .map_err(|_| bad(cols.code, "an area code"))?;
            let ed = match edition {
                Some(e) => e,
                None => *edition.insert(edition_of(&cols.code_name, code)?),
            };
            if !nation_matches(ed, code) {
                return Err(LoadError::WrongNation {
                    line,
                    code: code.to_string(),
                    edition: ed,
                    example: example_code(ed),
                });
            }
            let decile = field(&rec, cols.decile)
                .parse::<u8>()
                .ok()
                .and_then(|d| ImdDecile::new(d).ok())
                .ok_or_else(|| bad(cols.decile, "a decile from 1 to 10"))?;
            let rank = field(&rec, cols.rank)
                .parse::<u32>()
                .ok()
                .filter(|r| *r >= 1)
                .ok_or_else(|| bad(cols.rank, "a rank of 1 or more"))?;
            if let (Some(s), Some(col)) = (scores.as_mut(), cols.score) {
                let v = field(&rec, col)
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(col, "a number"))?;
                s.push(v);
            }
            for &(_, dcol, rcol) in &cols.domains {
                let d = field(&rec, dcol)
                    .parse::<u8>()
                    .ok()
                    .filter(|d| (1..=10).contains(d))
                    .ok_or_else(|| bad(dcol, "a decile from 1 to 10"))?;
                domain_deciles.push(d);
                let r = match rcol {
                    Some(rc) => field(&rec, rc)
                        .parse::<f64>()
                        .ok()
                        .filter(|r| *r >= 1.0 && r.is_finite())
                        .ok_or_else(|| bad(rc, "a rank of 1 or more"))?,
                    None => f64::NAN,
                };
                domain_ranks.push(r);
            }
            if let (Some(ds), Some(col)) = (districts.as_mut(), cols.district) {
                ds.push(
                    AreaCode::parse(field(&rec, col)).map_err(|_| bad(col, "a district code"))?,
                );
            }
            codes.push(code);
            lines.push(line);
            deciles.push(decile);
            ranks.push(rank);
        }
        let edition = edition.ok_or(LoadError::Empty)?;
        if let Some(e) = duplicate(&codes, &lines) {
            return Err(e);
        }
        let keys: Vec<u64> = codes.iter().map(|c| c.key()).collect();
        let lookup = PerfectHash::build(&keys)?;
        Ok(Self {
            edition,
            codes,
            deciles,
            ranks,
            scores,
            domains: cols.domains.into_iter().map(|(n, _, _)| n).collect(),
            domain_deciles,
            domain_ranks,
            districts,
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
