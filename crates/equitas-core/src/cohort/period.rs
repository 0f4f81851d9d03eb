//! Periods in person records (issue 15): which period each record belongs to, by a named scheme.
//!
//! A record file may carry a `date` column (`YYYY-MM-DD`: the date of the activity the record
//! describes) or a `period` column (a label such as `2023/24`). [`PeriodScheme`] says how a
//! record's period is found:
//!
//! - [`PeriodScheme::FinancialYear`]: from `date`, the NHS financial year, 1 April to 31 March,
//!   labelled as the NHS reports it: 2023-04-01 to 2024-03-31 is `2023/24`.
//! - [`PeriodScheme::Year`]: from `date`, the calendar year: `2023`.
//! - [`PeriodScheme::Column`]: the `period` column's label as given (spaces around it trimmed),
//!   at most [`MAX_PERIOD_LABEL_BYTES`] bytes of letters, digits, spaces and `/-_.`.
//!
//! Periods are kept apart in counts and reports and ordered by their labels (so `2022/23` comes
//! before `2023/24`, `2019` before `2020`; label periods of your own so that they sort). A file
//! may hold at most [`MAX_PERIODS`] periods.

use serde::{Deserialize, Serialize};

#[cfg(feature = "csv")]
use super::Classifier;
use super::counts::{CountsFile, Probe};
use super::{COUNTS_FORMAT, COUNTS_VERSION, CohortCounts, CountsFileError, MergeError};
use crate::date::Date;

/// The most periods one count may hold (64): far more than the years of any series a report
/// compares, and each period is a set of counts of its own. A fixed limit.
pub const MAX_PERIODS: usize = 64;

/// The longest period label, in bytes (32).
pub const MAX_PERIOD_LABEL_BYTES: usize = 32;

/// How each record's period is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PeriodScheme {
    /// The NHS financial year (April to March) of the `date` column: `2023/24`.
    #[serde(rename = "fy")]
    FinancialYear,
    /// The calendar year of the `date` column: `2023`.
    Year,
    /// The `period` column's label, as given.
    Column,
}

impl PeriodScheme {
    /// The scheme named `fy`, `year` or `column`.
    ///
    /// # Errors
    /// Any other name, with the names accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "fy" => Ok(Self::FinancialYear),
            "year" => Ok(Self::Year),
            "column" => Ok(Self::Column),
            other => Err(format!(
                "{other:?} is not a period scheme: fy (NHS financial year, April to March, from the date column), year (calendar year, from the date column) or column (the period column's label as given)"
            )),
        }
    }

    /// The scheme's name, as [`PeriodScheme::parse`] reads it.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            Self::FinancialYear => "fy",
            Self::Year => "year",
            Self::Column => "column",
        }
    }

    /// The column the scheme reads: `date` or `period`.
    #[must_use]
    pub const fn column(self) -> &'static str {
        match self {
            Self::FinancialYear | Self::Year => "date",
            Self::Column => "period",
        }
    }

    /// The period of a record whose [`PeriodScheme::column`] holds `value`.
    ///
    /// ```
    /// use equitas_core::cohort::period::PeriodScheme;
    /// assert_eq!(PeriodScheme::FinancialYear.period_of(b"2024-03-31").unwrap(), "2023/24");
    /// assert_eq!(PeriodScheme::FinancialYear.period_of(b"2024-04-01").unwrap(), "2024/25");
    /// assert_eq!(PeriodScheme::Year.period_of(b"2024-03-31").unwrap(), "2024");
    /// assert_eq!(PeriodScheme::Column.period_of(b" Q1 2024 ").unwrap(), "Q1 2024");
    /// assert!(PeriodScheme::Year.period_of(b"2024-02-30").is_err());
    /// ```
    ///
    /// # Errors
    /// What is wrong with the value, naming it: empty, not a `YYYY-MM-DD` date, or a label that
    /// is too long or has other characters.
    pub fn period_of(self, value: &[u8]) -> Result<String, String> {
        let text = String::from_utf8_lossy(value);
        let text = text.trim();
        if text.is_empty() {
            return Err(format!(
                "{} is empty; with --period-by {} every record needs one",
                self.column(),
                self.id()
            ));
        }
        match self {
            Self::FinancialYear | Self::Year => {
                let date = Date::parse(text).map_err(|_| {
                    format!("{text:?} is not a date (YYYY-MM-DD, a real calendar day)")
                })?;
                let y = date.year();
                Ok(match self {
                    Self::Year => y.to_string(),
                    _ => {
                        let start = if date.month() >= 4 { y } else { y - 1 };
                        format!("{start}/{:02}", (start + 1).rem_euclid(100))
                    }
                })
            }
            Self::Column => {
                if text.len() > MAX_PERIOD_LABEL_BYTES {
                    return Err(format!(
                        "period {text:?} is {} bytes long; a period label may be at most {MAX_PERIOD_LABEL_BYTES} bytes (a fixed limit)",
                        text.len()
                    ));
                }
                if let Some(c) = text
                    .chars()
                    .find(|c| !(c.is_ascii_alphanumeric() || " /-_.".contains(*c)))
                {
                    return Err(format!(
                        "period {text:?} has the character {c:?}; a period label may have letters, digits, spaces and / - _ ."
                    ));
                }
                Ok(text.to_owned())
            }
        }
    }
}

/// Counts kept apart by period: one [`CohortCounts`] per period, ordered by label. Counts made
/// without periods (and saved counts files of version 1) are one unnamed period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodCounts {
    /// How the periods were found; `None` for one unnamed period.
    scheme: Option<PeriodScheme>,
    /// Each period's label and counts, ordered by label (one, labelled "", when unnamed).
    periods: Vec<(String, CohortCounts)>,
}

/// Counts by period that cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeriodMergeError {
    /// One side has periods and the other has none, or they were found by different schemes.
    #[error(
        "counts {this} cannot be merged with counts {other}: periods must be found the same way in every file (count again with the same --period-by)"
    )]
    Scheme {
        /// How these counts' periods were found, in words.
        this: String,
        /// How the other counts' periods were found, in words.
        other: String,
    },
    /// More periods in all than [`MAX_PERIODS`].
    #[error(
        "the merged counts would hold {count} periods; at most {MAX_PERIODS} may be kept (MAX_PERIODS, a fixed limit)"
    )]
    TooManyPeriods {
        /// How many.
        count: usize,
    },
    /// The counts of one period cannot be added.
    #[error("period {period}: {source}")]
    Counts {
        /// The period's label.
        period: String,
        /// Why.
        source: MergeError,
    },
}

fn scheme_words(s: Option<PeriodScheme>) -> String {
    match s {
        None => {
            "without periods (counted without --period-by, or an older counts file of version 1)"
                .to_owned()
        }
        Some(s) => format!("by period (--period-by {})", s.id()),
    }
}

impl PeriodCounts {
    /// Counts without periods: one unnamed period.
    #[must_use]
    pub fn unnamed(counts: CohortCounts) -> Self {
        Self {
            scheme: None,
            periods: vec![(String::new(), counts)],
        }
    }

    /// The counts of periods `labels` (in the order first seen), `parts[i]` for `labels[i]`
    /// (empty counts where a period has no part), ordered by label. Only the record reader
    /// (core's `csv` feature) makes counts by period from parts.
    #[cfg(feature = "csv")]
    pub(crate) fn from_parts(
        scheme: PeriodScheme,
        labels: Vec<String>,
        mut parts: Vec<CohortCounts>,
        classifier: &Classifier<'_>,
    ) -> Self {
        parts.truncate(labels.len());
        while parts.len() < labels.len() {
            parts.push(CohortCounts::new(classifier));
        }
        let mut periods: Vec<(String, CohortCounts)> = labels.into_iter().zip(parts).collect();
        equitas_lean::sort::sort_by(&mut periods, |a, b| a.0.cmp(&b.0));
        Self {
            scheme: Some(scheme),
            periods,
        }
    }

    /// How the periods were found; `None` for one unnamed period.
    #[must_use]
    pub fn scheme(&self) -> Option<PeriodScheme> {
        self.scheme
    }

    /// Each period's label (`""` when unnamed) and counts, ordered by label.
    pub fn periods(&self) -> impl ExactSizeIterator<Item = (&str, &CohortCounts)> + '_ {
        self.periods.iter().map(|(p, c)| (p.as_str(), c))
    }

    /// The counts of every period added together.
    ///
    /// # Errors
    /// A sum too large for a count.
    pub fn total(&self) -> Result<Option<CohortCounts>, MergeError> {
        let mut it = self.periods.iter();
        let Some((_, first)) = it.next() else {
            return Ok(None);
        };
        let mut total = first.clone();
        for (_, c) in it {
            total.merge(c)?;
        }
        Ok(Some(total))
    }

    /// Add `other` in: the counts of a period both have are added, other periods kept apart.
    /// Exact, associative and commutative, like [`CohortCounts::merge`].
    ///
    /// # Errors
    /// Periods found by different schemes (or periods against none), more than
    /// [`MAX_PERIODS`] periods in all, or counts that cannot be added (another definition, a sum
    /// too large). Nothing is changed when it fails.
    pub fn merge(&mut self, other: &Self) -> Result<(), PeriodMergeError> {
        if self.scheme != other.scheme {
            return Err(PeriodMergeError::Scheme {
                this: scheme_words(self.scheme),
                other: scheme_words(other.scheme),
            });
        }
        let mut merged = self.periods.clone();
        for (label, counts) in &other.periods {
            match merged.binary_search_by(|(p, _)| p.as_str().cmp(label)) {
                Ok(i) => merged[i]
                    .1
                    .merge(counts)
                    .map_err(|source| PeriodMergeError::Counts {
                        period: label.clone(),
                        source,
                    })?,
                Err(i) => {
                    if merged.len() >= MAX_PERIODS {
                        return Err(PeriodMergeError::TooManyPeriods {
                            count: merged.len() + 1,
                        });
                    }
                    // Counts of another definition are refused as a same-period merge would be.
                    if let Some((_, any)) = merged.first() {
                        let mut check = any.clone();
                        check
                            .merge(counts)
                            .map_err(|source| PeriodMergeError::Counts {
                                period: label.clone(),
                                source,
                            })?;
                    }
                    merged.insert(i, (label.clone(), counts.clone()));
                }
            }
        }
        self.periods = merged;
        Ok(())
    }
}

/// A saved counts file of version 2: each period's counts (a version 1 object) and label.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodsFile {
    format: String,
    version: u32,
    /// How the periods were found.
    period_by: PeriodScheme,
    /// Each period, ordered by label.
    #[serde(deserialize_with = "period_list")]
    periods: Vec<PeriodBlock>,
}

/// One period of a [`PeriodsFile`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodBlock {
    period: String,
    counts: CountsFile,
}

/// Periods, refused as soon as there are more than [`MAX_PERIODS`].
fn period_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<PeriodBlock>, D::Error> {
    super::counts::at_most(d, MAX_PERIODS, "periods", "MAX_PERIODS")
}

impl PeriodCounts {
    /// The counts as a saved counts file: version 2 with each period's counts and label, or,
    /// for one unnamed period, version 1 as [`CohortCounts::to_json`] writes it (so an older
    /// equitas still reads counts made without periods).
    ///
    /// # Errors
    /// Only if serialisation itself fails (it does not for these plain types).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        match (self.scheme, self.periods.as_slice()) {
            (None, [(_, counts)]) => counts.to_json(),
            (scheme, periods) => serde_json::to_string(&PeriodsFile {
                format: COUNTS_FORMAT.to_owned(),
                version: COUNTS_VERSION,
                period_by: scheme.unwrap_or(PeriodScheme::Column),
                periods: periods
                    .iter()
                    .map(|(p, c)| PeriodBlock {
                        period: p.clone(),
                        counts: c.to_file(),
                    })
                    .collect(),
            }),
        }
    }

    /// Read a saved counts file: version 2 (counts by period), or version 1 as one unnamed
    /// period. Every period's counts are checked as [`CohortCounts::from_json`] checks them;
    /// labels must be valid, different and in order, and every period made with the same
    /// definition.
    ///
    /// # Errors
    /// As [`CohortCounts::from_json`]; more than [`MAX_PERIODS`] periods; a label repeated, out
    /// of order or not a label [`PeriodScheme::Column`] accepts; periods of different
    /// definitions.
    pub fn from_json(text: &str) -> Result<Self, CountsFileError> {
        if Probe::version_of(text)? != Some(u64::from(COUNTS_VERSION)) {
            return CohortCounts::from_json(text).map(Self::unnamed);
        }
        let f: PeriodsFile =
            serde_json::from_str(text).map_err(|e| CountsFileError::Malformed(e.to_string()))?;
        let mut periods: Vec<(String, CohortCounts)> = Vec::with_capacity(f.periods.len());
        for block in f.periods {
            let label = PeriodScheme::Column
                .period_of(block.period.as_bytes())
                .map_err(|e| CountsFileError::Inconsistent(format!("period label: {e}")))?;
            if label != block.period {
                return Err(CountsFileError::Inconsistent(format!(
                    "period label {:?} has spaces around it",
                    block.period
                )));
            }
            if let Some((last, _)) = periods.last()
                && *last >= label
            {
                return Err(CountsFileError::Inconsistent(format!(
                    "period {label:?} comes after {last:?}: periods must be listed once each, in order"
                )));
            }
            let counts = CohortCounts::from_file(block.counts)
                .map_err(|e| CountsFileError::Inconsistent(format!("period {label}: {e}")))?;
            if let Some((first, c)) = periods.first()
                && c.definition() != counts.definition()
            {
                return Err(CountsFileError::Inconsistent(format!(
                    "period {label} was counted with definition {:?} version {}, period {first} with {:?} version {}",
                    counts.definition().0,
                    counts.definition().1,
                    c.definition().0,
                    c.definition().1
                )));
            }
            periods.push((label, counts));
        }
        Ok(Self {
            scheme: Some(f.period_by),
            periods,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::CohortDefinition;
    use crate::cohort::records::{
        RecordsError, count_records_by_period, count_records_by_period_parallel,
    };

    const HEAD: &str =
        "person_id,age,sex,ethnicity,lsoa,conditions,groups,imd_decile,date,period\n";

    fn count(
        csv: &str,
        scheme: PeriodScheme,
    ) -> (PeriodCounts, crate::cohort::records::ReadSummary) {
        let c = Classifier::new(CohortDefinition::national(), None).unwrap();
        count_records_by_period(csv.as_bytes(), &c, scheme, false).unwrap()
    }

    #[test]
    fn a_person_may_appear_once_in_each_period() {
        let csv = format!(
            "{HEAD}p1,40,female,A,,,,1,2023-05-01,\np1,41,female,A,,,,1,2024-05-01,\np1,41,female,A,,,,1,2024-06-01,\n"
        );
        let (counts, summary) = count(&csv, PeriodScheme::FinancialYear);
        let people: Vec<(&str, u64)> = counts.periods().map(|(p, c)| (p, c.people())).collect();
        assert_eq!(people, [("2023/24", 1), ("2024/25", 1)]);
        assert_eq!(summary.rejected, 1);
        let e = &summary.problems[0];
        assert_eq!(
            (e.row, e.column.as_str(), e.value.as_str()),
            (4, "person_id", "p1")
        );
        assert!(
            e.problem.contains("first used at row 3") && e.problem.contains("this is 2024/25"),
            "{}",
            e.problem
        );
    }

    #[test]
    fn bad_periods_name_row_column_and_value() {
        let csv = format!("{HEAD}p1,40,female,A,,,,1,2023-5-01,\np2,40,female,A,,,,1,,\n");
        let (_, summary) = count(&csv, PeriodScheme::Year);
        let got: Vec<(u64, &str, &str)> = summary
            .problems
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(got, [(2, "date", "2023-5-01"), (3, "date", "")]);
        assert!(summary.problems[0].problem.contains("is not a date"));
        assert!(summary.problems[1].problem.contains("--period-by year"));
    }

    #[test]
    fn the_scheme_needs_its_column() {
        let c = Classifier::new(CohortDefinition::national(), None).unwrap();
        let csv = "person_id,age,sex,ethnicity,lsoa,conditions,groups,period\n";
        let e = count_records_by_period(csv.as_bytes(), &c, PeriodScheme::FinancialYear, false)
            .unwrap_err();
        assert!(matches!(
            e,
            RecordsError::MissingPeriodColumn { column: "date", .. }
        ));
        assert!(
            e.to_string()
                .contains("no date column, which --period-by fy reads"),
            "{e}"
        );
    }

    #[test]
    fn periods_past_the_limit_are_bad_rows() {
        use std::fmt::Write;
        let mut csv = HEAD.to_owned();
        for i in 0..=MAX_PERIODS {
            writeln!(csv, "p,40,female,A,,,,1,,P{i:03}").unwrap();
        }
        let (counts, summary) = count(&csv, PeriodScheme::Column);
        assert_eq!(counts.periods().len(), MAX_PERIODS);
        assert_eq!(summary.rejected, 1);
        let e = &summary.problems[0];
        assert_eq!((e.column.as_str(), e.value.as_str()), ("period", "P064"));
        assert!(
            e.problem.contains("at most 64 periods (MAX_PERIODS"),
            "{}",
            e.problem
        );
    }

    #[test]
    fn periods_count_alike_on_any_number_of_threads() {
        use std::fmt::Write;
        let mut csv = HEAD.to_owned();
        for i in 0..3000 {
            let (d, y) = (1 + i % 10, 2019 + i % 4);
            writeln!(
                csv,
                "p{i},{},female,A,,smi,,{d},{y}-0{}-15,",
                20 + i % 50,
                1 + i % 9
            )
            .unwrap();
        }
        let c = Classifier::new(CohortDefinition::national(), None).unwrap();
        let (one, s1) =
            count_records_by_period(csv.as_bytes(), &c, PeriodScheme::FinancialYear, false)
                .unwrap();
        for threads in [2, 3] {
            let (many, s) = count_records_by_period_parallel(
                csv.as_bytes(),
                &c,
                PeriodScheme::FinancialYear,
                threads,
                4096,
            )
            .unwrap();
            assert_eq!(many, one);
            assert_eq!(s, s1);
        }
        assert_eq!(one.periods().len(), 5);
    }

    #[test]
    fn merging_keeps_schemes_and_periods_apart() {
        let csv = format!("{HEAD}p1,40,female,A,,,,1,2023-05-01,\np2,41,male,A,,,,1,2024-05-01,\n");
        let (a, _) = count(&csv, PeriodScheme::Year);
        let (fy, _) = count(&csv, PeriodScheme::FinancialYear);
        let mut m = a.clone();
        m.merge(&a).unwrap();
        let people: Vec<(&str, u64)> = m.periods().map(|(p, c)| (p, c.people())).collect();
        assert_eq!(people, [("2023", 2), ("2024", 2)]);
        let e = m.clone().merge(&fy).unwrap_err();
        assert!(
            e.to_string().contains("--period-by year") && e.to_string().contains("--period-by fy"),
            "{e}"
        );
        let unnamed = PeriodCounts::unnamed(a.total().unwrap().unwrap());
        let e = m.merge(&unnamed).unwrap_err();
        assert!(
            e.to_string().contains("older counts file of version 1"),
            "{e}"
        );
    }

    #[test]
    fn financial_years_run_april_to_march() {
        let fy = |d: &str| PeriodScheme::FinancialYear.period_of(d.as_bytes());
        assert_eq!(fy("2023-04-01").unwrap(), "2023/24");
        assert_eq!(fy("2024-03-31").unwrap(), "2023/24");
        assert_eq!(fy("1999-06-01").unwrap(), "1999/00");
        assert_eq!(fy("2000-01-01").unwrap(), "1999/00");
        assert_eq!(fy(" 2024-02-29 ").unwrap(), "2023/24");
        let e = fy("2023-02-29").unwrap_err();
        assert!(e.contains("\"2023-02-29\" is not a date"), "{e}");
        assert!(fy("").unwrap_err().contains("date is empty"));
    }

    #[test]
    fn column_labels_are_checked() {
        let col = |d: &str| PeriodScheme::Column.period_of(d.as_bytes());
        assert_eq!(col("2023/24").unwrap(), "2023/24");
        assert!(col("a,b").unwrap_err().contains("','"));
        assert!(
            col(&"x".repeat(33))
                .unwrap_err()
                .contains("at most 32 bytes")
        );
        assert!(col("  ").unwrap_err().contains("period is empty"));
    }

    #[test]
    fn schemes_parse_by_name() {
        for s in [
            PeriodScheme::FinancialYear,
            PeriodScheme::Year,
            PeriodScheme::Column,
        ] {
            assert_eq!(PeriodScheme::parse(s.id()), Ok(s));
        }
        assert!(
            PeriodScheme::parse("month")
                .unwrap_err()
                .contains("\"month\"")
        );
    }

    #[test]
    fn counts_by_period_round_trip_as_version_2() {
        let csv =
            format!("{HEAD}p1,40,female,A,,smi,,1,2023-05-01,\np2,41,male,A,,,,4,2024-05-01,\n");
        let (a, _) = count(&csv, PeriodScheme::FinancialYear);
        let text = a.to_json().unwrap();
        assert!(text.starts_with(r#"{"format":"equitas-cohort-counts","version":2,"period_by":"fy","periods":[{"period":"2023/24""#), "{}", &text[..120]);
        assert_eq!(PeriodCounts::from_json(&text).unwrap(), a);
        // One set of counts cannot be read from it.
        let e = CohortCounts::from_json(&text).unwrap_err();
        assert_eq!(e, CountsFileError::ByPeriod);
        assert!(e.to_string().contains("counts by period (version 2)"));
    }

    #[test]
    fn an_older_file_is_one_unnamed_period_and_merges_only_with_its_kind() {
        let csv = format!("{HEAD}p1,40,female,A,,smi,,1,2023-05-01,\n");
        let c = Classifier::new(CohortDefinition::national(), None).unwrap();
        let mut plain = CohortCounts::new(&c);
        crate::cohort::records::count_records(csv.as_bytes(), &c, &mut plain, false).unwrap();
        let v1 = plain.to_json().unwrap();
        assert!(v1.contains(r#""version":1"#));
        let old = PeriodCounts::from_json(&v1).unwrap();
        assert_eq!(old.scheme(), None);
        let periods: Vec<(&str, u64)> = old.periods().map(|(p, c)| (p, c.people())).collect();
        assert_eq!(periods, [("", 1)]);
        // Written back as version 1, byte for byte.
        assert_eq!(old.to_json().unwrap(), v1);
        let mut twice = old.clone();
        twice.merge(&old).unwrap();
        assert_eq!(twice.periods().next().unwrap().1.people(), 2);
        // Refused, clearly, beside counts by period.
        let (by, _) = count(&csv, PeriodScheme::Year);
        let e = twice.merge(&by).unwrap_err().to_string();
        assert_eq!(
            e,
            "counts without periods (counted without --period-by, or an older counts file of version 1) cannot be merged with counts by period (--period-by year): periods must be found the same way in every file (count again with the same --period-by)"
        );
    }

    #[test]
    fn bad_version_2_files_are_refused() {
        let csv = format!("{HEAD}p1,40,female,A,,,,1,2023-05-01,\np2,41,male,A,,,,4,2024-05-01,\n");
        let (a, _) = count(&csv, PeriodScheme::Year);
        let text = a.to_json().unwrap();
        let swapped = text.replacen(r#""period":"2024""#, r#""period":"2023""#, 1);
        let e = PeriodCounts::from_json(&swapped).unwrap_err().to_string();
        assert!(e.contains(r#"period "2023" comes after "2023""#), "{e}");
        let bad = text.replacen(r#""period":"2024""#, r#""period":"20,24""#, 1);
        let e = PeriodCounts::from_json(&bad).unwrap_err().to_string();
        assert!(e.contains("period label"), "{e}");
        let newer = text.replacen(r#""version":2"#, r#""version":3"#, 1);
        assert_eq!(
            PeriodCounts::from_json(&newer).unwrap_err(),
            CountsFileError::TooNew(3)
        );
        let block = text
            .split_once(r#"[{"#)
            .unwrap()
            .1
            .rsplit_once("}]")
            .unwrap()
            .0;
        let many = vec![format!("{{{block}}}"); MAX_PERIODS + 1].join(",");
        let head = text.split_once(r#"[{"#).unwrap().0;
        let e = PeriodCounts::from_json(&format!("{head}[{many}]}}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("MAX_PERIODS"), "{e}");
    }

    fn records() -> impl proptest::strategy::Strategy<Value = Vec<(u8, u8, u8, bool, bool, u8)>> {
        // (period, age/10, decile, smi, health check, sex)
        proptest::collection::vec(
            (
                0u8..4,
                0u8..10,
                0u8..11,
                proptest::bool::ANY,
                proptest::bool::ANY,
                0u8..2,
            ),
            1..60,
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(64))]

        /// Merging the saved counts of any split of a file, in any order, equals counting the
        /// whole file at once.
        #[test]
        fn merging_per_period_files_equals_counting_the_whole(
            rows in records(),
            cuts in proptest::collection::vec(0usize..60, 0..4),
            order in proptest::collection::vec(proptest::num::usize::ANY, 5),
        ) {
            use std::fmt::Write;
            let periods = ["2020-06-01", "2021-02-01", "2021-07-31", "2023-12-31"];
            let line = |i: usize, r: &(u8, u8, u8, bool, bool, u8)| {
                let decile = if r.2 == 0 { String::new() } else { r.2.to_string() };
                format!(
                    "p{i},{},{},A,,{},,{decile},{},,{}\n",
                    u16::from(r.1) * 10 + 5,
                    ["male", "female"][usize::from(r.5)],
                    if r.3 { "smi" } else { "" },
                    periods[usize::from(r.0)],
                    if r.4 { "smi_health_check" } else { "" },
                )
            };
            let head = "person_id,age,sex,ethnicity,lsoa,conditions,groups,imd_decile,date,period,events\n";
            let mut whole = head.to_owned();
            for (i, r) in rows.iter().enumerate() {
                whole.push_str(&line(i, r));
            }
            let (want, _) = count(&whole, PeriodScheme::FinancialYear);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(rows.len())).collect();
            cuts.push(0);
            cuts.push(rows.len());
            equitas_lean::sort::sort_by_key(&mut cuts, |c| *c);
            let mut files: Vec<String> = cuts
                .windows(2)
                .map(|w| {
                    let mut f = head.to_owned();
                    for (i, r) in rows.iter().enumerate().take(w[1]).skip(w[0]) {
                        write!(f, "{}", line(i, r)).unwrap();
                    }
                    count(&f, PeriodScheme::FinancialYear).0.to_json().unwrap()
                })
                .collect();
            for (i, o) in order.iter().enumerate() {
                let n = files.len();
                files.swap(i % n, o % n);
            }
            let mut merged = PeriodCounts::from_json(&files[0]).unwrap();
            for f in &files[1..] {
                merged.merge(&PeriodCounts::from_json(f).unwrap()).unwrap();
            }
            // Parts with no records of a period have no block for it: compare non-empty ones.
            let nonempty = |p: &PeriodCounts| -> Vec<(String, CohortCounts)> {
                p.periods().filter(|(_, c)| c.people() > 0).map(|(l, c)| (l.to_owned(), c.clone())).collect()
            };
            proptest::prop_assert_eq!(nonempty(&merged), nonempty(&want));
        }
    }
}
