//! `equitas sii|lifetable|proportion|rate|dsr`: the Fingertips methods over a CSV with named
//! columns, one result per group. The domain work is in `equitas_core::measures::phe` and
//! `equitas_core::measures::lifetable`; this file reads columns, groups rows and writes output.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;

use equitas_core::io::columns::Table;
use equitas_core::measures::intervals::{confidence_levels, confidence_pair};
use equitas_core::measures::lifetable::{AgeBand, life_expectancy};
use equitas_core::measures::phe::dsr::{LabelledBand, StandardPopulation, calculate_dsr_by_label};
use equitas_core::measures::phe::rates::{phe_proportion, phe_rate};
use equitas_core::measures::phe::sii::{
    MAX_QUANTILES, MAX_REPETITIONS, MAX_THREADS, MIN_REPETITIONS, SiiOptions, SiiRow, SwapRule,
    ValueType, phe_sii_many, sii_analytic,
};
use equitas_core::measures::phe::{Estimate, MAX_MULTIPLIER};
use lexopt::ValueExt;
use serde_json::Value;

use crate::{Failure, Result, next_option, unknown_option, usage_error};

const SII_HELP: &str = "\
equitas sii: slope and relative index of inequality as Fingertips computes them (phe_sii)

Usage: equitas sii --input FILE [--group-by COLS] [--value-type normal|rate|proportion]
                   [--transform] [--multiplier M] [--repetitions N] [--confidence C,...]
                   [--seed N] [--reliability] [--swap-rule consistent|reference]
                   [--analytic] [--threads N] [--format csv|json]

  --input FILE      CSV, or - for standard input, one row per quantile: columns quantile
                    (1 = most deprived), population, and value (or x, a count, for proportions:
                    value = x/population), with se or lower_cl,upper_cl (read as 95% limits)
  --group-by COLS   comma-separated columns that identify an area (e.g. area,sex)
  --value-type T    normal (default, e.g. life expectancy), rate or proportion (0-1)
  --transform       fit on the ln (rate) or logit (proportion) scale and back-transform;
                    needs lower_cl,upper_cl rather than se
  --multiplier M    scale of the SII, e.g. 100 for percentages (default 1), from -1e12 to 1e12;
                    negative inverts RII
  --repetitions N   Monte Carlo draws, from 1000 to 10000000 (default 100000); each takes 16
                    bytes for every area being worked on
  --confidence C    levels, 0.9-0.999999 or 90-99.9999, comma-separated, at most 10 (default
                    0.95)
  --seed N          random seed, 0 to 18446744073709551615 (default 1); the same seed gives the
                    same limits everywhere
  --threads N       areas to work on at once, 1 to 256 (default: every core; fewer when their
                    simulations would need more than 512 MiB together); the limits are the same
                    for any N, because every area starts from the seed
  --reliability     also report the mean absolute difference of each limit over 10 sets
  --swap-rule R     consistent (default: swap transformed limits, and invert the RII limits, when
                    the multiplier is negative) or reference (PHEindicatormethods: swap and invert
                    below 1 for rates, below 0 for proportions; so a rate with a multiplier from 0
                    to 1 gets RII limits of 1/RII around an RII that is not inverted: odd, but
                    what the package gives)
  --analytic        also give the closed-form SII limits the simulation converges to
                    (sii_lower_analytic, sii_upper_analytic; normal values, no transform)
  --format F        csv (default) or json

Output: one row/object per group with the group columns and sii, sii_lower, sii_upper, rii,
rii_lower, rii_upper, intercept, reason. With several confidence levels the limit names end in
the level, e.g. sii_lower_95_0 and sii_lower_99_8. A blank number always has a reason: a group
missing a quantile that other groups have, or numbers beyond the range of double precision
(values near 1.8e308), which are named. Quantiles are sorted as numbers (PHE sorts them as text).

Example:
  equitas sii --input seeds/examples/sii-deciles.csv --group-by area --format json
";

const LIFETABLE_HELP: &str = "\
equitas lifetable: life expectancy at every start age (Chiang II, Silcocks et al. limits)

Usage: equitas lifetable --input FILE [--group-by COLS] [--confidence C,...] [--format csv|json]

  --input FILE      CSV, or - for standard input: columns start_age, population, deaths; 20
                    bands per group with start ages 0,1,5,10,...,85,90
  --group-by COLS   comma-separated columns that identify an area (e.g. area,sex)
  --confidence C    levels, 0.9-0.999999 or 90-99.9999, comma-separated, at most 10 (default
                    0.95)
  --format F        csv (default) or json

Output: one row/object per group and start age with the group columns and start_age, value,
lower, upper, reason (limit names end in the level when there are several). Areas with a total
population of 5,000 or less, a population of zero or less, negative deaths, more deaths than
population, other bands or no deaths at 90+ give a reason instead of values; a value whose 95%
interval is wider than 20 years is suppressed with its limits kept. Where everyone alive at the
start of a band dies in it, later ages have the value 0 and no limits (as PHEindicatormethods
gives them), with a reason.

Example:
  equitas lifetable --input seeds/examples/lifetable.csv --group-by area
";

const PROPORTION_HELP: &str = "\
equitas proportion: proportions with Wilson confidence limits (phe_proportion)

Usage: equitas proportion --input FILE [--group-by COLS] [--multiplier M] [--confidence C,...]
                          [--format csv|json]

  --input FILE      CSV, or - for standard input: columns x (numerator) and n (denominator);
                    rows of a group are summed
  --group-by COLS   comma-separated columns that identify a group
  --multiplier M    e.g. 100 for a percentage (default 1), above 0 and at most 1e12
  --confidence C    0.95 (default), or 0.95,0.998 for both (PHE allows only that pair)
  --format F        csv (default) or json

Example:
  equitas proportion --input seeds/examples/proportion.csv --group-by area --multiplier 100
";

const RATE_HELP: &str = "\
equitas rate: crude rates with exact Poisson (below 10 events) or Byar's limits (phe_rate)

Usage: equitas rate --input FILE [--group-by COLS] [--multiplier M] [--confidence C,...]
                    [--format csv|json]

  --input FILE      CSV, or - for standard input: columns x (events) and population; rows of a
                    group are summed
  --group-by COLS   comma-separated columns that identify a group
  --multiplier M    rate per M people (default 100000), above 0 and at most 1e12
  --confidence C    0.95 (default), or 0.95,0.998 for both
  --format F        csv (default) or json

Example:
  equitas rate --input seeds/examples/rate.csv --group-by area
";

const DSR_HELP: &str = "\
equitas dsr: directly standardised rates with Dobson limits, standardised to the European
Standard Population 2013 (calculate_dsr)

Usage: equitas dsr --input FILE [--group-by COLS] [--multiplier M] [--confidence C,...]
                   [--format csv|json]

  --input FILE      CSV, or - for standard input: columns ageband, x (events; empty counts as 0)
                    and population, one row per group for each ESP2013 band 0-4, 5-9, ..., 85-89,
                    90+, in any order. Bands are matched by their label: the ESP2013 labels, or
                    zero-padded (00-04), with \"to\" (0 to 4, Aged 0 to 4), with yrs or years
                    (0-4 yrs), 90 and over, or the start age alone (0, 5, ..., 90); anything else
                    is an error naming the row, as is a band missing from a group or given twice
  --group-by COLS   comma-separated columns that identify a group
  --multiplier M    rate per M people (default 100000), above 0 and at most 1e12
  --confidence C    0.95 (default), or 0.95,0.998 for both
  --format F        csv (default) or json

Groups with fewer than 10 events in total give a reason instead of a rate.

Example:
  equitas dsr --input seeds/examples/dsr.csv --group-by area
";

/// Output format of these commands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Out {
    Csv,
    Json,
}

/// Options every Fingertips command takes.
struct Common {
    input: Option<PathBuf>,
    group_by: Vec<String>,
    confidence: Vec<f64>,
    format: Out,
    /// The multiplier and the text it was given as (for messages).
    multiplier: Option<(f64, String)>,
}

impl Common {
    fn new() -> Self {
        Self {
            input: None,
            group_by: Vec::new(),
            confidence: vec![0.95],
            format: Out::Csv,
            multiplier: None,
        }
    }

    fn take(&mut self, name: &str, parser: &mut lexopt::Parser) -> Result<bool> {
        match name {
            "--input" | "-i" => self.input = Some(parser.value()?.into()),
            "--group-by" => {
                self.group_by = parser
                    .value()?
                    .string()?
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
            }
            "--confidence" => {
                let v = parser.value()?.string()?;
                self.confidence = v
                    .split(',')
                    .map(|s| {
                        s.trim().parse::<f64>().map_err(|_| {
                            usage_error(format!(
                                "--confidence must be numbers like 0.95,0.998, got {v:?}"
                            ))
                        })
                    })
                    .collect::<Result<_>>()?;
            }
            "--multiplier" => {
                let v = parser.value()?.string()?;
                let m = v.trim().parse::<f64>().unwrap_or(f64::NAN);
                self.multiplier = Some((m, v));
            }
            "--format" => {
                self.format = match crate::parse_format(&parser.value()?.string()?)? {
                    crate::Format::Json => Out::Json,
                    crate::Format::Csv => Out::Csv,
                    crate::Format::Table => {
                        return Err(usage_error("--format must be csv or json for this command"));
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The confidence levels, checked: any number up to the limit for SII and life tables
    /// (`pair` false), one level or the pair 0.95 and 0.998 for the others (`pair` true).
    fn levels(&self, pair: bool) -> Result<Vec<f64>> {
        if pair {
            confidence_pair(&self.confidence)
        } else {
            confidence_levels(&self.confidence)
        }
        .map_err(|e| usage_error(format!("--confidence: {e}")))
    }

    /// The multiplier of a proportion, rate or DSR (above 0, at most 1e12), or `default`.
    fn positive_multiplier(&self, default: f64) -> Result<f64> {
        match &self.multiplier {
            None => Ok(default),
            Some((m, _)) if *m > 0.0 && *m <= MAX_MULTIPLIER => Ok(*m),
            Some((_, v)) => Err(usage_error(format!(
                "--multiplier must be a number above 0 and at most {MAX_MULTIPLIER}, got {v:?}"
            ))),
        }
    }

    fn table(&self, help: &str) -> Result<(Table, String)> {
        let path = self
            .input
            .as_ref()
            .ok_or_else(|| usage_error(format!("--input is required\n\n{help}")))?;
        let name = path.display().to_string();
        let reader: Box<dyn Read> = if path.as_os_str() == "-" {
            Box::new(io::stdin().lock())
        } else {
            Box::new(
                File::open(path).map_err(|e| Failure::from(format!("cannot open {name}: {e}")))?,
            )
        };
        let t = Table::read(reader).map_err(|e| Failure::from(format!("{name}: {e}")))?;
        Ok((t, name))
    }

    fn group_columns(&self, t: &Table, name: &str) -> Result<Vec<usize>> {
        self.group_by
            .iter()
            .map(|c| {
                t.column(c)
                    .map_err(|e| Failure::from(format!("{name}: {e}")))
            })
            .collect()
    }
}

/// A whole number from `min` to `max` for flag `--name`; anything else is a usage error saying
/// the range.
fn whole(parser: &mut lexopt::Parser, name: &str, min: u64, max: u64) -> Result<u64> {
    let v = parser.value()?.string()?;
    v.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            usage_error(format!(
                "--{name} must be a whole number from {min} to {max}, got {v:?}"
            ))
        })
}

/// Print a command's help.
fn help(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

pub(crate) fn run(command: &str, parser: lexopt::Parser) -> Result<()> {
    match command {
        "sii" => sii(parser),
        "lifetable" => lifetable(parser),
        "proportion" | "rate" => crude(command, parser),
        "dsr" => dsr(parser),
        other => Err(usage_error(format!("unknown command {other:?}"))),
    }
}

/// The column names of limits at each confidence level: `base` alone with one level, and with
/// several `base_95_0`, `base_99_8` (PHE's names: the percentage with at least one decimal, the
/// point written as `_`; equitas keeps up to four decimals, so 99.9999 is `99_9999`).
struct LevelNames {
    suffixes: Vec<String>,
}

impl LevelNames {
    fn name(&self, base: &str, k: usize) -> String {
        match self.suffixes.get(k) {
            Some(suffix) if self.suffixes.len() > 1 => format!("{base}_{suffix}"),
            _ => base.to_owned(),
        }
    }
}

/// The names of `levels`' columns; two levels that would share a name are a usage error.
fn level_names(levels: &[f64]) -> Result<LevelNames> {
    let suffixes: Vec<String> = levels
        .iter()
        .map(|&c| {
            let percent = (c * 1e6).round() / 1e4;
            let text = percent.to_string();
            if text.contains('.') {
                text.replace('.', "_")
            } else {
                format!("{text}_0")
            }
        })
        .collect();
    for (k, suffix) in suffixes.iter().enumerate() {
        if let Some(j) = suffixes
            .get(..k)
            .and_then(|s| s.iter().position(|x| x == suffix))
        {
            let (a, b) = (levels.get(j).copied(), levels.get(k).copied());
            return Err(usage_error(format!(
                "--confidence: the levels {} and {} would both be named {suffix}; give levels \
                 with at most six decimal places (as a proportion)",
                a.unwrap_or_default(),
                b.unwrap_or_default()
            )));
        }
    }
    Ok(LevelNames { suffixes })
}

/// A count: whole numbers print without ".0".
fn count(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation, reason = "whole and below 2^53")]
        let i = v as i64;
        Value::from(i)
    } else {
        Value::from(v)
    }
}

fn num(v: Option<f64>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// One output record: ordered (name, value) pairs.
type Record = Vec<(String, Value)>;

fn key_fields(by: &[String], key: &[String]) -> Record {
    by.iter()
        .zip(key)
        .map(|(c, v)| (c.clone(), Value::from(v.clone())))
        .collect()
}

fn estimate_fields(rec: &mut Record, e: &Estimate, names: &LevelNames) {
    rec.push(("value".into(), num(e.value)));
    for (k, i) in e.intervals.iter().enumerate() {
        rec.push((names.name("lower", k), num(i.lower)));
        rec.push((names.name("upper", k), num(i.upper)));
    }
    rec.push((
        "reason".into(),
        e.reason
            .as_ref()
            .map_or(Value::Null, |r| Value::from(r.to_string())),
    ));
}

/// The output, held as text until every group is done, so that an error part-way prints
/// nothing; each record is written out as text when it is added (a few dozen bytes a record,
/// not the record's names and values).
struct Output {
    format: Out,
    header: Option<String>,
    lines: Vec<String>,
}

impl Output {
    const fn new(format: Out) -> Self {
        Self {
            format,
            header: None,
            lines: Vec::new(),
        }
    }

    fn push(&mut self, rec: &Record) -> Result<()> {
        let line = match self.format {
            Out::Json => {
                let fields: Vec<String> = rec
                    .iter()
                    .map(|(n, v)| {
                        Ok(format!(
                            "{}: {}",
                            serde_json::to_string(n)?,
                            serde_json::to_string(v)?
                        ))
                    })
                    .collect::<std::result::Result<_, serde_json::Error>>()?;
                format!("  {{{}}}", fields.join(", "))
            }
            Out::Csv => {
                if self.header.is_none() {
                    let header: Vec<String> = rec.iter().map(|(n, _)| csv_field(n)).collect();
                    self.header = Some(header.join(","));
                }
                let row: Vec<String> = rec
                    .iter()
                    .map(|(_, v)| match v {
                        Value::Null => String::new(),
                        Value::String(s) => csv_field(s),
                        other => other.to_string(),
                    })
                    .collect();
                row.join(",")
            }
        };
        self.lines.push(line);
        Ok(())
    }

    fn finish(self) -> Result<()> {
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        match self.format {
            Out::Json => {
                writeln!(out, "[")?;
                let n = self.lines.len();
                for (k, line) in self.lines.iter().enumerate() {
                    let comma = if k + 1 < n { "," } else { "" };
                    writeln!(out, "{line}{comma}")?;
                }
                writeln!(out, "]")?;
            }
            Out::Csv => {
                if let Some(header) = &self.header {
                    writeln!(out, "{header}")?;
                }
                for line in &self.lines {
                    writeln!(out, "{line}")?;
                }
            }
        }
        out.flush()?;
        Ok(())
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn group_label(by: &[String], key: &[String]) -> String {
    if by.is_empty() {
        "the input".to_owned()
    } else {
        let parts: Vec<String> = by
            .iter()
            .zip(key)
            .map(|(c, v)| format!("{c}={v}"))
            .collect();
        format!("group {}", parts.join(", "))
    }
}

fn sii(mut parser: lexopt::Parser) -> Result<()> {
    let mut common = Common::new();
    let mut o = SiiOptions::default();
    let mut analytic = false;
    let mut threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_THREADS);
    while let Some(name) = next_option(&mut parser, SII_HELP)? {
        if common.take(&name, &mut parser)? {
            continue;
        }
        match name.as_str() {
            "--value-type" => {
                o.value_type = match parser.value()?.string()?.as_str() {
                    "normal" | "0" => ValueType::Normal,
                    "rate" | "1" => ValueType::Rate,
                    "proportion" | "2" => ValueType::Proportion,
                    other => {
                        return Err(usage_error(format!(
                            "--value-type must be normal, rate or proportion, got {other:?}"
                        )));
                    }
                }
            }
            "--transform" => o.transform = true,
            "--reliability" => o.reliability = true,
            "--analytic" => analytic = true,
            "--repetitions" => {
                let n = whole(
                    &mut parser,
                    "repetitions",
                    MIN_REPETITIONS.into(),
                    MAX_REPETITIONS.into(),
                )?;
                o.repetitions = u32::try_from(n).unwrap_or(MAX_REPETITIONS);
            }
            "--seed" => o.seed = whole(&mut parser, "seed", 0, u64::MAX)?,
            "--threads" => {
                let max = u64::try_from(MAX_THREADS).unwrap_or(u64::MAX);
                let n = whole(&mut parser, "threads", 1, max)?;
                threads = usize::try_from(n).unwrap_or(MAX_THREADS);
            }
            "--swap-rule" => {
                o.swap_rule = match parser.value()?.string()?.as_str() {
                    "consistent" => SwapRule::Consistent,
                    "reference" => SwapRule::Reference,
                    other => {
                        return Err(usage_error(format!(
                            "--swap-rule must be consistent or reference, got {other:?}"
                        )));
                    }
                }
            }
            "--help" | "-h" => return help(SII_HELP),
            _ => return Err(unknown_option(&name, SII_HELP)),
        }
    }
    o.multiplier = match &common.multiplier {
        None => 1.0,
        Some((m, _)) if m.abs() <= MAX_MULTIPLIER => *m,
        Some((_, v)) => {
            return Err(usage_error(format!(
                "--multiplier must be a number from -{MAX_MULTIPLIER} to {MAX_MULTIPLIER}, got {v:?}"
            )));
        }
    };
    o.confidence = common.levels(false)?;
    let names = level_names(&o.confidence)?;
    let (t, name) = common.table(SII_HELP)?;
    let at = |e: equitas_core::io::columns::ColumnError| Failure::from(format!("{name}: {e}"));
    let by = common.group_columns(&t, &name)?;
    let quantile = t.column("quantile").map_err(at)?;
    let population = t.column("population").map_err(at)?;
    let value = t.optional_column("value");
    let x = t.optional_column("x");
    let (se, lcl, ucl) = (
        t.optional_column("se"),
        t.optional_column("lower_cl"),
        t.optional_column("upper_cl"),
    );
    if value.is_none() && !(x.is_some() && o.value_type == ValueType::Proportion) {
        return Err(Failure::from(format!(
            "{name}: sii needs a value column, or x for proportions (--value-type proportion)"
        )));
    }
    if se.is_none() && (lcl.is_none() || ucl.is_none()) {
        return Err(Failure::from(format!(
            "{name}: sii needs an se column, or lower_cl and upper_cl"
        )));
    }
    let groups = t.groups(&by);
    let mut parsed: Vec<(Vec<String>, Vec<SiiRow>, Vec<usize>)> = Vec::with_capacity(groups.len());
    for g in &groups {
        let mut rows = Vec::with_capacity(g.rows.len());
        for &r in &g.rows {
            let q = t.number(r, quantile).map_err(at)?;
            if q.fract() != 0.0 || !(1.0..=f64::from(MAX_QUANTILES)).contains(&q) {
                return Err(Failure::from(format!(
                    "{name}: row {}, column quantile: {q} is not a whole number from 1 to {MAX_QUANTILES}",
                    t.line(r)
                )));
            }
            let pop = t.number(r, population).map_err(at)?;
            let v = match (value, x) {
                (Some(c), _) => t.number(r, c).map_err(at)?,
                (None, Some(c)) => {
                    let count = t.number(r, c).map_err(at)?;
                    if count <= 0.0 {
                        return Err(Failure::from(format!(
                            "{name}: row {}, column x: the count must be greater than zero, got {count}",
                            t.line(r)
                        )));
                    }
                    count / pop
                }
                (None, None) => 0.0,
            };
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked whole, 1..=1000"
            )]
            let quantile = q as u32;
            rows.push(SiiRow {
                quantile,
                population: pop,
                value: v,
                se: se
                    .map(|c| t.optional_number(r, c))
                    .transpose()
                    .map_err(at)?
                    .flatten(),
                lower_cl: lcl
                    .map(|c| t.optional_number(r, c))
                    .transpose()
                    .map_err(at)?
                    .flatten(),
                upper_cl: ucl
                    .map(|c| t.optional_number(r, c))
                    .transpose()
                    .map_err(at)?
                    .flatten(),
            });
        }
        let lines: Vec<usize> = g.rows.iter().map(|&r| t.line(r)).collect();
        parsed.push((g.key.clone(), rows, lines));
    }
    let mut records = Output::new(common.format);
    let areas: Vec<&[SiiRow]> = parsed.iter().map(|(_, rows, _)| rows.as_slice()).collect();
    let results = phe_sii_many(&areas, &o, threads);
    for ((key, rows, lines), r) in parsed.iter().zip(results) {
        let r = r.map_err(|e| {
            let message = e.to_string();
            // Name the row of the quantile the message is about, when it is about one.
            let row = rows
                .iter()
                .zip(lines)
                .find(|(r, _)| message.contains(&format!("quantile {} ", r.quantile)))
                .map_or(String::new(), |(_, l)| format!(" (row {l})"));
            Failure::from(format!(
                "{name}: {}{row}: {message}",
                group_label(&common.group_by, key)
            ))
        })?;
        let mut rec = key_fields(&common.group_by, key);
        let mut reasons: Vec<String> = r.reason.iter().map(ToString::to_string).collect();
        // Every record has every column: an area with a reason has no intervals.
        let level = |k: usize| r.intervals.get(k);
        let levels = 0..o.confidence.len();
        rec.push(("sii".into(), num(r.sii)));
        for k in levels.clone() {
            rec.push((
                names.name("sii_lower", k),
                num(level(k).and_then(|i| i.sii_lower)),
            ));
            rec.push((
                names.name("sii_upper", k),
                num(level(k).and_then(|i| i.sii_upper)),
            ));
        }
        rec.push(("rii".into(), num(r.rii)));
        for k in levels.clone() {
            rec.push((
                names.name("rii_lower", k),
                num(level(k).and_then(|i| i.rii_lower)),
            ));
            rec.push((
                names.name("rii_upper", k),
                num(level(k).and_then(|i| i.rii_upper)),
            ));
        }
        rec.push(("intercept".into(), num(r.intercept)));
        if analytic {
            // An area the simulation could not use (e.g. missing a quantile) gets none either,
            // for the reason already given; analytic limits that overflow have their own.
            let limits = match sii_analytic(rows, &o) {
                Ok(Ok(l)) if r.intervals.len() == o.confidence.len() => l,
                Ok(Ok(_)) => Vec::new(),
                Ok(Err(reason)) => {
                    let text = reason.to_string();
                    if !reasons.contains(&text) {
                        reasons.push(text);
                    }
                    Vec::new()
                }
                Err(e) => return Err(Failure::from(format!("{name}: --analytic: {e}"))),
            };
            for k in levels.clone() {
                let i = limits.get(k);
                rec.push((
                    names.name("sii_lower_analytic", k),
                    num(i.and_then(|i| i.lower)),
                ));
                rec.push((
                    names.name("sii_upper_analytic", k),
                    num(i.and_then(|i| i.upper)),
                ));
            }
        }
        if o.reliability {
            for k in levels {
                let i = level(k);
                for (base, v) in [
                    ("sii_lower_mad", i.and_then(|i| i.sii_lower_mad)),
                    ("sii_upper_mad", i.and_then(|i| i.sii_upper_mad)),
                    ("rii_lower_mad", i.and_then(|i| i.rii_lower_mad)),
                    ("rii_upper_mad", i.and_then(|i| i.rii_upper_mad)),
                ] {
                    rec.push((names.name(base, k), num(v)));
                }
            }
        }
        rec.push((
            "reason".into(),
            if reasons.is_empty() {
                Value::Null
            } else {
                Value::from(reasons.join("; "))
            },
        ));
        records.push(&rec)?;
    }
    records.finish()
}

fn lifetable(mut parser: lexopt::Parser) -> Result<()> {
    let mut common = Common::new();
    while let Some(name) = next_option(&mut parser, LIFETABLE_HELP)? {
        if common.take(&name, &mut parser)? {
            continue;
        }
        match name.as_str() {
            "--help" | "-h" => return help(LIFETABLE_HELP),
            _ => return Err(unknown_option(&name, LIFETABLE_HELP)),
        }
    }
    let levels = common.levels(false)?;
    let names = level_names(&levels)?;
    let (t, name) = common.table(LIFETABLE_HELP)?;
    let at = |e: equitas_core::io::columns::ColumnError| Failure::from(format!("{name}: {e}"));
    let by = common.group_columns(&t, &name)?;
    let (age, pop, deaths) = (
        t.column("start_age").map_err(at)?,
        t.column("population").map_err(at)?,
        t.column("deaths").map_err(at)?,
    );
    let mut records = Output::new(common.format);
    for g in t.groups(&by) {
        let mut bands = Vec::with_capacity(g.rows.len());
        for &r in &g.rows {
            let a = t.number(r, age).map_err(at)?;
            if a.fract() != 0.0 || !(0.0..=150.0).contains(&a) {
                return Err(Failure::from(format!(
                    "{name}: row {}, column start_age: {a} is not a whole number of years",
                    t.line(r)
                )));
            }
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked 0..=150, whole"
            )]
            let start_age = a as u32;
            bands.push(AgeBand {
                start_age,
                population: t.number(r, pop).map_err(at)?,
                deaths: t.number(r, deaths).map_err(at)?,
            });
        }
        let le = life_expectancy(&bands, &levels).map_err(|e| {
            Failure::from(format!(
                "{name}: {}: {e}",
                group_label(&common.group_by, &g.key)
            ))
        })?;
        for e in le {
            let mut rec = key_fields(&common.group_by, &g.key);
            rec.push(("start_age".into(), Value::from(e.start_age)));
            estimate_fields(
                &mut rec,
                &Estimate {
                    value: e.value,
                    intervals: e.intervals,
                    reason: e.reason,
                },
                &names,
            );
            records.push(&rec)?;
        }
    }
    records.finish()
}

fn crude(command: &str, mut parser: lexopt::Parser) -> Result<()> {
    let help_text = if command == "rate" {
        RATE_HELP
    } else {
        PROPORTION_HELP
    };
    let mut common = Common::new();
    while let Some(name) = next_option(&mut parser, help_text)? {
        if common.take(&name, &mut parser)? {
            continue;
        }
        match name.as_str() {
            "--help" | "-h" => return help(help_text),
            _ => return Err(unknown_option(&name, help_text)),
        }
    }
    let levels = common.levels(true)?;
    let names = level_names(&levels)?;
    let multiplier = common.positive_multiplier(if command == "rate" { 100_000.0 } else { 1.0 })?;
    let (t, name) = common.table(help_text)?;
    let at = |e: equitas_core::io::columns::ColumnError| Failure::from(format!("{name}: {e}"));
    let by = common.group_columns(&t, &name)?;
    let x = t.column("x").map_err(at)?;
    let d = t
        .column(if command == "rate" { "population" } else { "n" })
        .map_err(at)?;
    let mut records = Output::new(common.format);
    for g in t.groups(&by) {
        let (mut sx, mut sn) = (0.0, 0.0);
        for &r in &g.rows {
            sx += t.number(r, x).map_err(at)?;
            sn += t.number(r, d).map_err(at)?;
        }
        let label = group_label(&common.group_by, &g.key);
        let rows = if g.rows.len() == 1 {
            format!("row {}", g.rows.first().map_or(0, |&r| t.line(r)))
        } else {
            format!("{} rows summed", g.rows.len())
        };
        let e = if command == "rate" {
            phe_rate(sx, sn, &levels, multiplier)
        } else {
            phe_proportion(sx, sn, &levels, multiplier)
        }
        .map_err(|e| Failure::from(format!("{name}: {label} ({rows}): {e}")))?;
        let mut rec = key_fields(&common.group_by, &g.key);
        rec.push(("x".into(), count(sx)));
        rec.push((
            if command == "rate" { "population" } else { "n" }.into(),
            count(sn),
        ));
        estimate_fields(&mut rec, &e, &names);
        records.push(&rec)?;
    }
    records.finish()
}

fn dsr(mut parser: lexopt::Parser) -> Result<()> {
    let mut common = Common::new();
    while let Some(name) = next_option(&mut parser, DSR_HELP)? {
        if common.take(&name, &mut parser)? {
            continue;
        }
        match name.as_str() {
            "--help" | "-h" => return help(DSR_HELP),
            _ => return Err(unknown_option(&name, DSR_HELP)),
        }
    }
    let levels = common.levels(true)?;
    let names = level_names(&levels)?;
    let multiplier = common.positive_multiplier(100_000.0)?;
    let (t, name) = common.table(DSR_HELP)?;
    let at = |e: equitas_core::io::columns::ColumnError| Failure::from(format!("{name}: {e}"));
    let by = common.group_columns(&t, &name)?;
    let (band, x, pop) = (
        t.column("ageband").map_err(at)?,
        t.column("x").map_err(at)?,
        t.column("population").map_err(at)?,
    );
    let esp = StandardPopulation::esp2013();
    let mut records = Output::new(common.format);
    for g in t.groups(&by) {
        let label = group_label(&common.group_by, &g.key);
        let mut rows = Vec::with_capacity(g.rows.len());
        for &r in &g.rows {
            rows.push(LabelledBand {
                row: t.line(r),
                label: t.text(r, band),
                x: t.optional_number(r, x).map_err(at)?,
                n: t.number(r, pop).map_err(at)?,
            });
        }
        let e = calculate_dsr_by_label(esp, &rows, &levels, multiplier).map_err(|e| {
            // A label names its row already; a group-level problem names the group.
            match e {
                equitas_core::measures::phe::PheError::Band(
                    equitas_core::measures::phe::dsr::BandError::UnknownLabel { .. },
                ) => Failure::from(format!("{name}: {e}")),
                _ => Failure::from(format!("{name}: {label}: {e}")),
            }
        })?;
        let mut rec = key_fields(&common.group_by, &g.key);
        rec.push((
            "x".into(),
            count(rows.iter().map(|r| r.x.unwrap_or(0.0)).sum::<f64>()),
        ));
        estimate_fields(&mut rec, &e, &names);
        records.push(&rec)?;
    }
    records.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use equitas_core::io::columns::{MAX_TABLE_BYTES, MAX_TABLE_ROWS};
    use equitas_core::measures::intervals::{MAX_CONFIDENCE, MAX_CONFIDENCE_LEVELS};
    use equitas_core::measures::phe::sii::SIMULATION_MEMORY_BUDGET;

    /// The ranges the help states are the limits core enforces.
    #[test]
    fn help_states_the_limits() {
        assert!(SII_HELP.contains(&format!("from {MIN_REPETITIONS} to {MAX_REPETITIONS}")));
        assert!(SII_HELP.contains(&format!("1 to {MAX_THREADS}")));
        assert!(SII_HELP.contains(&format!("0 to {}", u64::MAX)));
        assert_eq!(MAX_MULTIPLIER, 1e12);
        assert_eq!(SIMULATION_MEMORY_BUDGET, 512 * 1024 * 1024);
        assert!(SII_HELP.contains("from -1e12 to 1e12") && SII_HELP.contains("512 MiB"));
        assert_eq!(MAX_CONFIDENCE, 0.999_999);
        assert_eq!(MAX_CONFIDENCE_LEVELS, 10);
        for help in [SII_HELP, LIFETABLE_HELP] {
            assert!(help.contains("0.9-0.999999 or 90-99.9999, comma-separated, at most 10"));
        }
        for help in [PROPORTION_HELP, RATE_HELP, DSR_HELP] {
            assert!(help.contains("above 0 and at most 1e12"));
        }
        assert_eq!(
            (MAX_TABLE_BYTES, MAX_TABLE_ROWS),
            (256 * 1024 * 1024, 2_000_000)
        );
    }

    #[test]
    fn level_names_follow_phe_and_never_collide() {
        let names = level_names(&[0.95, 0.998, 0.999_999]).map_err(|f| f.message);
        let names = names.unwrap_or_else(|m| panic!("{m}"));
        assert_eq!(names.name("lower", 0), "lower_95_0");
        assert_eq!(names.name("lower", 1), "lower_99_8");
        assert_eq!(names.name("lower", 2), "lower_99_9999");
        let one = level_names(&[0.95]).map_err(|f| f.message);
        assert_eq!(
            one.unwrap_or_else(|m| panic!("{m}")).name("lower", 0),
            "lower"
        );
        let clash = level_names(&[0.95, 0.950_000_01]).err().map(|f| f.message);
        assert!(clash.is_some_and(|m| m.contains("would both be named 95_0")));
    }
}
