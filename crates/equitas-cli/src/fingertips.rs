//! `equitas sii|lifetable|proportion|rate|dsr`: the Fingertips methods over a CSV with named
//! columns, one result per group. Reading the columns, checking the cells and running the
//! methods group by group is `equitas_core::io::fingertips`; this file parses the options, opens
//! the input and writes the results as CSV or JSON.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use clap::ValueEnum;
use equitas_core::io::columns::Table;
use equitas_core::io::fingertips::{self, Crude, FingertipsError};
use equitas_core::measures::intervals::{
    MAX_CONFIDENCE_LEVELS, confidence_levels, confidence_pair,
};
use equitas_core::measures::lifetable::OpenBand;
use equitas_core::measures::phe::sii::{
    MAX_REPETITIONS, MAX_THREADS, MIN_REPETITIONS, SiiOptions, SwapRule, ValueType,
    check_multiplier,
};
use equitas_core::measures::phe::{Estimate, PheError, check_positive_multiplier};
use serde_json::Value;

use crate::args::{DataFormat, number, whole};
use crate::output::{
    LevelNames, Output, Record, count, estimate_fields, key_fields, level_names, num,
};
use crate::{Failure, Result};

/// The heading of `equitas sii --help`.
pub(crate) const SII_ABOUT: &str =
    "equitas sii: slope and relative index of inequality as Fingertips computes them (phe_sii)";
/// The heading of `equitas lifetable --help`.
pub(crate) const LIFETABLE_ABOUT: &str =
    "equitas lifetable: life expectancy at every start age (Chiang II, Silcocks et al. limits)";
/// The heading of `equitas proportion --help`.
pub(crate) const PROPORTION_ABOUT: &str =
    "equitas proportion: proportions with Wilson confidence limits (phe_proportion)";
/// The heading of `equitas rate --help`.
pub(crate) const RATE_ABOUT: &str =
    "equitas rate: crude rates with exact Poisson (below 10 events) or Byar's limits (phe_rate)";
/// The heading of `equitas dsr --help`.
pub(crate) const DSR_ABOUT: &str = "equitas dsr: directly standardised rates with Dobson limits, \
                                    standardised to the European Standard Population 2013 \
                                    (calculate_dsr)";

/// The largest multiplier in size, as the help says it.
const MULTIPLIER_RANGE: &str = "1e12";

/// The options every Fingertips command takes besides its input.
#[derive(clap::Args, Debug)]
pub(crate) struct Common {
    /// comma-separated columns that identify a group (e.g. area,sex)
    #[arg(long, value_name = "COLS", value_parser = group_by, default_value = "",
          hide_default_value = true)]
    group_by: GroupBy,
    /// output format
    #[arg(long, value_name = "F", value_enum, default_value_t = DataFormat::Csv)]
    format: DataFormat,
}

/// `equitas sii`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Output: one row/object per group with the group columns and sii, sii_lower, sii_upper, rii,
rii_lower, rii_upper, intercept, reason. With several confidence levels the limit names end in
the level, e.g. sii_lower_95_0 and sii_lower_99_8. A blank number always has a reason: a group
missing a quantile that other groups have, or numbers beyond the range of double precision
(values near 1.8e308), which are named. Quantiles are sorted as numbers (PHE sorts them as text).

Example:
  equitas sii --input seeds/examples/sii-deciles.csv --group-by area --format json")]
pub(crate) struct Sii {
    /// CSV, or - for standard input, one row per quantile: columns quantile
    /// (1 = most deprived), population, and value (or x, a count, for proportions:
    /// value = x/population), with se or lower_cl,upper_cl (read as 95% limits)
    #[arg(
        short,
        long,
        value_name = "FILE",
        required = true,
        verbatim_doc_comment
    )]
    input: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    /// normal (e.g. life expectancy), rate or proportion (0-1)
    #[arg(long, value_name = "T", value_enum, default_value_t = ValueTypeArg::Normal)]
    value_type: ValueTypeArg,
    /// fit on the ln (rate) or logit (proportion) scale and back-transform;
    /// needs lower_cl,upper_cl rather than se
    #[arg(long, verbatim_doc_comment)]
    transform: bool,
    #[arg(long, value_name = "M", allow_negative_numbers = true, value_parser = sii_multiplier,
          default_value_t = 1.0,
          help = format!("scale of the SII, e.g. 100 for percentages, from -{MULTIPLIER_RANGE} \
                          to {MULTIPLIER_RANGE}; negative inverts RII"))]
    multiplier: f64,
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = whole(MIN_REPETITIONS..=MAX_REPETITIONS),
          default_value_t = SiiOptions::default().repetitions,
          help = format!("Monte Carlo draws, from {MIN_REPETITIONS} to {MAX_REPETITIONS}; each \
                          takes 16 bytes for every area being worked on"))]
    repetitions: u32,
    #[arg(long, value_name = "C,...", allow_negative_numbers = true, value_parser = levels_any,
          default_value = "0.95", help = levels_help("levels"))]
    confidence: Levels,
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = whole(0..=u64::MAX), default_value_t = SiiOptions::default().seed,
          help = format!("random seed, 0 to {}; the same seed gives the same limits everywhere",
                         u64::MAX))]
    seed: u64,
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = whole(1..=MAX_THREADS),
          help = format!("areas to work on at once, 1 to {MAX_THREADS} (default: every core; \
                          fewer when their\nsimulations would need more than 512 MiB together); \
                          the limits are the same for any N,\nbecause every area starts from the \
                          seed"))]
    threads: Option<usize>,
    /// also report the mean absolute difference of each limit over 10 sets
    #[arg(long)]
    reliability: bool,
    /// consistent (swap transformed limits, and invert the RII limits, when the
    /// multiplier is negative) or reference (PHEindicatormethods: swap and invert
    /// below 1 for rates, below 0 for proportions; so a rate with a multiplier from 0
    /// to 1 gets RII limits of 1/RII around an RII that is not inverted: odd, but
    /// what the package gives)
    #[arg(long, value_name = "R", value_enum, default_value_t = SwapRuleArg::Consistent,
          verbatim_doc_comment)]
    swap_rule: SwapRuleArg,
    /// also give the closed-form SII limits the simulation converges to
    /// (sii_lower_analytic, sii_upper_analytic; normal values, no transform)
    #[arg(long, verbatim_doc_comment)]
    analytic: bool,
}

/// `--value-type`: the names, and the reference's numbers 0, 1 and 2.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ValueTypeArg {
    #[value(alias = "0")]
    Normal,
    #[value(alias = "1")]
    Rate,
    #[value(alias = "2")]
    Proportion,
}

/// `--swap-rule`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum SwapRuleArg {
    Consistent,
    Reference,
}

/// `equitas lifetable`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Output: one row/object per group and start age with the group columns and start_age, value,
lower, upper, reason (limit names end in the level when there are several). Areas with a total
population of 5,000 or less, a population of zero or less, negative deaths, more deaths than
population, other bands or no deaths in the open band give a reason instead of values; a value
whose 95%
interval is wider than 20 years is suppressed with its limits kept. Where everyone alive at the
start of a band dies in it, later ages have the value 0 and no limits (as PHEindicatormethods
gives them), with a reason.

Example:
  equitas lifetable --input seeds/examples/lifetable.csv --group-by area")]
pub(crate) struct Lifetable {
    /// CSV, or - for standard input: columns start_age, population, deaths; 20
    /// bands per group with start ages 0,1,5,10,...,85,90 (19 up to 85 with
    /// --open-band 85)
    #[arg(
        short,
        long,
        value_name = "FILE",
        required = true,
        verbatim_doc_comment
    )]
    input: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    #[arg(long, value_name = "C,...", allow_negative_numbers = true, value_parser = levels_any,
          default_value = "0.95", help = levels_help("levels"))]
    confidence: Levels,
    /// the last, open age band: 90 (90+, 20 bands, as Fingertips) or 85 (85+, 19 bands)
    #[arg(long, value_name = "AGE", value_enum, default_value_t = OpenBandArg::Ninety)]
    open_band: OpenBandArg,
}

/// `--open-band` of lifetable and le-gap.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub(crate) enum OpenBandArg {
    #[value(name = "90")]
    Ninety,
    #[value(name = "85")]
    EightyFive,
}

impl OpenBandArg {
    pub(crate) const fn band(self) -> OpenBand {
        match self {
            Self::Ninety => OpenBand::Ninety,
            Self::EightyFive => OpenBand::EightyFive,
        }
    }
}

/// `equitas proportion`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Example:
  equitas proportion --input seeds/examples/proportion.csv --group-by area --multiplier 100")]
pub(crate) struct Proportion {
    /// CSV, or - for standard input: columns x (numerator) and n (denominator);
    /// rows of a group are summed
    #[arg(
        short,
        long,
        value_name = "FILE",
        required = true,
        verbatim_doc_comment
    )]
    input: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    #[arg(long, value_name = "M", allow_negative_numbers = true,
          value_parser = positive_multiplier, default_value_t = 1.0,
          help = format!("e.g. 100 for a percentage, above 0 and at most {MULTIPLIER_RANGE}"))]
    multiplier: f64,
    #[arg(long, value_name = "C,...", allow_negative_numbers = true, value_parser = levels_pair,
          default_value = "0.95", help = PAIR_HELP)]
    confidence: Levels,
}

/// `equitas rate`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Example:
  equitas rate --input seeds/examples/rate.csv --group-by area")]
pub(crate) struct Rate {
    /// CSV, or - for standard input: columns x (events) and population; rows of a
    /// group are summed
    #[arg(
        short,
        long,
        value_name = "FILE",
        required = true,
        verbatim_doc_comment
    )]
    input: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    #[arg(long, value_name = "M", allow_negative_numbers = true,
          value_parser = positive_multiplier, default_value_t = 100_000.0,
          help = format!("rate per M people, above 0 and at most {MULTIPLIER_RANGE}"))]
    multiplier: f64,
    #[arg(long, value_name = "C,...", allow_negative_numbers = true, value_parser = levels_pair,
          default_value = "0.95", help = PAIR_HELP)]
    confidence: Levels,
}

/// `equitas dsr`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Groups with fewer than 10 events in total give a reason instead of a rate.

Example:
  equitas dsr --input seeds/examples/dsr.csv --group-by area")]
pub(crate) struct Dsr {
    /// CSV, or - for standard input: columns ageband, x (events; empty counts as 0)
    /// and population, one row per group for each ESP2013 band 0-4, 5-9, ..., 85-89,
    /// 90+, in any order. Bands are matched by their label: the ESP2013 labels, or
    /// zero-padded (00-04), with "to" (0 to 4, Aged 0 to 4), with yrs or years
    /// (0-4 yrs), 90 and over, or the start age alone (0, 5, ..., 90); anything else
    /// is an error naming the row, as is a band missing from a group or given twice
    #[arg(
        short,
        long,
        value_name = "FILE",
        required = true,
        verbatim_doc_comment
    )]
    input: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    #[arg(long, value_name = "M", allow_negative_numbers = true,
          value_parser = positive_multiplier, default_value_t = 100_000.0,
          help = format!("rate per M people, above 0 and at most {MULTIPLIER_RANGE}"))]
    multiplier: f64,
    #[arg(long, value_name = "C,...", allow_negative_numbers = true, value_parser = levels_pair,
          default_value = "0.95", help = PAIR_HELP)]
    confidence: Levels,
}

/// The help of `--confidence` where one level or the pair 0.95 and 0.998 is allowed.
const PAIR_HELP: &str = "0.95, or 0.95,0.998 for both (PHE allows only that pair)";

/// The help of `--confidence` where any levels are allowed.
fn levels_help(what: &str) -> String {
    format!("{what}, 0.9-0.999999 or 90-99.9999, comma-separated, at most {MAX_CONFIDENCE_LEVELS}")
}

/// `--group-by`: column names, separated by commas.
#[derive(Clone, Debug)]
pub(crate) struct GroupBy(pub(crate) Vec<String>);

#[allow(
    clippy::unnecessary_wraps,
    reason = "the shape clap's value parsers take"
)]
pub(crate) fn group_by(text: &str) -> std::result::Result<GroupBy, String> {
    Ok(GroupBy(
        text.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    ))
}

/// Checked confidence levels with the names of their columns.
#[derive(Clone, Debug)]
struct Levels {
    levels: Vec<f64>,
    names: LevelNames,
}

/// The numbers of a `--confidence` list.
fn level_list(text: &str) -> std::result::Result<Vec<f64>, String> {
    text.split(',')
        .map(|s| {
            let n = number(s);
            if n.is_nan() {
                Err(format!(
                    "{:?} is not a number; give levels like 0.95,0.998",
                    s.trim()
                ))
            } else {
                Ok(n)
            }
        })
        .collect()
}

/// `--confidence` of sii and lifetable: any levels core's [`confidence_levels`] takes.
fn levels_any(text: &str) -> std::result::Result<Levels, String> {
    let levels = confidence_levels(&level_list(text)?).map_err(|e| e.to_string())?;
    let names = level_names(&levels)?;
    Ok(Levels { levels, names })
}

/// `--confidence` of proportion, rate and dsr: one level or PHE's pair ([`confidence_pair`]).
fn levels_pair(text: &str) -> std::result::Result<Levels, String> {
    let levels = confidence_pair(&level_list(text)?).map_err(|e| e.to_string())?;
    let names = level_names(&levels)?;
    Ok(Levels { levels, names })
}

/// `--multiplier` of sii: core's [`check_multiplier`].
fn sii_multiplier(text: &str) -> std::result::Result<f64, String> {
    check_multiplier(number(text)).map_err(range_message)
}

/// `--multiplier` of proportion, rate and dsr: core's [`check_positive_multiplier`].
fn positive_multiplier(text: &str) -> std::result::Result<f64, String> {
    check_positive_multiplier(number(text)).map_err(range_message)
}

/// What a value must be, without the value: clap shows it as it was typed (core would print
/// 1e300 with all its 301 digits).
fn range_message(e: PheError) -> String {
    match e {
        PheError::OutOfRange { what, rule, .. } => format!("{what} must be {rule}"),
        other => other.to_string(),
    }
}

/// The input table and its name for messages.
pub(crate) fn table(input: Option<&PathBuf>) -> Result<(Table, String)> {
    let path = input.ok_or_else(|| Failure::from("--input is required"))?;
    let name = path.display().to_string();
    let reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path).map_err(|e| Failure::from(format!("cannot open {name}: {e}")))?)
    };
    let t = Table::read(reader).map_err(|e| Failure::from(format!("{name}: {e}")))?;
    Ok((t, name))
}

/// A core error as the user sees it: the input's name, then core's message; the flag to add or
/// to drop where the error is about one.
fn failure(name: &str, e: &FingertipsError) -> Failure {
    match e {
        FingertipsError::NoValueColumn => {
            Failure::from(format!("{name}: {e} (--value-type proportion)"))
        }
        FingertipsError::Analytic(source) => Failure::from(format!("{name}: --analytic: {source}")),
        _ => Failure::from(format!("{name}: {e}")),
    }
}

pub(crate) fn sii(a: &Sii) -> Result<()> {
    let o = SiiOptions {
        value_type: match a.value_type {
            ValueTypeArg::Normal => ValueType::Normal,
            ValueTypeArg::Rate => ValueType::Rate,
            ValueTypeArg::Proportion => ValueType::Proportion,
        },
        transform: a.transform,
        multiplier: a.multiplier,
        repetitions: a.repetitions,
        confidence: a.confidence.levels.clone(),
        reliability: a.reliability,
        seed: a.seed,
        swap_rule: match a.swap_rule {
            SwapRuleArg::Consistent => SwapRule::Consistent,
            SwapRuleArg::Reference => SwapRule::Reference,
        },
        quantiles: None,
    };
    let threads = a.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(MAX_THREADS)
    });
    let (t, name) = table(a.input.as_ref())?;
    let by = &a.common.group_by.0;
    let groups =
        fingertips::sii(&t, by, &o, threads, a.analytic).map_err(|e| failure(&name, &e))?;
    let names = &a.confidence.names;
    let mut records = Output::new(a.common.format);
    for g in &groups {
        records.push(&sii_record(g, &o, names))?;
    }
    records.finish()
}

/// One group's SII as an output record: every column, blank where there is no number.
fn sii_record(g: &fingertips::SiiGroup, o: &SiiOptions, names: &LevelNames) -> Record {
    let r = &g.result;
    let mut rec = key_fields(&g.key);
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
    if let Some(limits) = &g.analytic {
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
    let reasons: Vec<String> = g.reasons.iter().map(ToString::to_string).collect();
    rec.push((
        "reason".into(),
        if reasons.is_empty() {
            Value::Null
        } else {
            Value::from(reasons.join("; "))
        },
    ));
    rec
}

pub(crate) fn lifetable(a: &Lifetable) -> Result<()> {
    let (t, name) = table(a.input.as_ref())?;
    let groups = fingertips::lifetable(
        &t,
        &a.common.group_by.0,
        &a.confidence.levels,
        a.open_band.band(),
    )
    .map_err(|e| failure(&name, &e))?;
    let mut records = Output::new(a.common.format);
    for (key, table) in groups {
        for e in table {
            let mut rec = key_fields(&key);
            rec.push(("start_age".into(), Value::from(e.start_age)));
            estimate_fields(
                &mut rec,
                &Estimate {
                    value: e.value,
                    intervals: e.intervals,
                    reason: e.reason,
                },
                &a.confidence.names,
            );
            records.push(&rec)?;
        }
    }
    records.finish()
}

pub(crate) fn proportion(a: &Proportion) -> Result<()> {
    crude(
        Crude::Proportion,
        a.input.as_ref(),
        &a.common,
        a.multiplier,
        &a.confidence,
    )
}

pub(crate) fn rate(a: &Rate) -> Result<()> {
    crude(
        Crude::Rate,
        a.input.as_ref(),
        &a.common,
        a.multiplier,
        &a.confidence,
    )
}

fn crude(
    kind: Crude,
    input: Option<&PathBuf>,
    common: &Common,
    multiplier: f64,
    confidence: &Levels,
) -> Result<()> {
    let (t, name) = table(input)?;
    let groups = fingertips::crude(&t, &common.group_by.0, kind, &confidence.levels, multiplier)
        .map_err(|e| failure(&name, &e))?;
    let mut records = Output::new(common.format);
    for g in &groups {
        let mut rec = key_fields(&g.key);
        rec.push(("x".into(), count(g.x)));
        rec.push((kind.denominator().into(), count(g.n)));
        estimate_fields(&mut rec, &g.estimate, &confidence.names);
        records.push(&rec)?;
    }
    records.finish()
}

pub(crate) fn dsr(a: &Dsr) -> Result<()> {
    let (t, name) = table(a.input.as_ref())?;
    let groups = fingertips::dsr(&t, &a.common.group_by.0, &a.confidence.levels, a.multiplier)
        .map_err(|e| failure(&name, &e))?;
    let mut records = Output::new(a.common.format);
    for g in &groups {
        let mut rec = key_fields(&g.key);
        rec.push(("x".into(), count(g.x)));
        estimate_fields(&mut rec, &g.estimate, &a.confidence.names);
        records.push(&rec)?;
    }
    records.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use equitas_core::io::columns::{MAX_TABLE_BYTES, MAX_TABLE_ROWS};
    use equitas_core::measures::intervals::MAX_CONFIDENCE;
    use equitas_core::measures::phe::MAX_MULTIPLIER;
    use equitas_core::measures::phe::sii::SIMULATION_MEMORY_BUDGET;

    /// The help of `command`, as `equitas command --help` prints it.
    fn help(command: &str) -> String {
        let mut cli = crate::Cli::command();
        cli.find_subcommand_mut(command)
            .map(|c| c.render_long_help().to_string())
            .unwrap_or_default()
    }

    /// The ranges the help states are the limits core enforces.
    #[test]
    fn help_states_the_limits() {
        let sii = help("sii");
        assert!(sii.contains(&format!("from {MIN_REPETITIONS} to {MAX_REPETITIONS}")));
        assert!(sii.contains(&format!("1 to {MAX_THREADS}")));
        assert!(sii.contains(&format!("0 to {}", u64::MAX)));
        assert_eq!(
            MAX_MULTIPLIER,
            MULTIPLIER_RANGE.parse::<f64>().unwrap_or_default()
        );
        assert_eq!(SIMULATION_MEMORY_BUDGET, 512 * 1024 * 1024);
        assert!(
            sii.contains("from -1e12 to 1e12") && sii.contains("512 MiB"),
            "{sii}"
        );
        assert_eq!(MAX_CONFIDENCE, 0.999_999);
        for command in ["sii", "lifetable"] {
            assert!(
                help(command).contains(&format!(
                    "0.9-0.999999 or 90-99.9999, comma-separated, at most {MAX_CONFIDENCE_LEVELS}"
                )),
                "{command}"
            );
        }
        for command in ["proportion", "rate", "dsr"] {
            assert!(
                help(command).contains("above 0 and at most 1e12"),
                "{command}"
            );
        }
        assert_eq!(
            (MAX_TABLE_BYTES, MAX_TABLE_ROWS),
            (256 * 1024 * 1024, 2_000_000)
        );
    }
}
