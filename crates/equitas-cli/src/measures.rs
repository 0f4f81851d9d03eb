//! `equitas measures`: the 21 WHO HEAT summary measures for a file in the HEAT Plus layout.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};

use clap::ValueEnum;
use equitas_core::io::heat_plus;
use equitas_core::io::measured::measure_file;
use equitas_core::io::series;
use equitas_core::measures::{
    Compat, ConcentrationSe, MAX_CONFIDENCE, MAX_SEED, MAX_SIMULATIONS, MIN_SIMULATIONS, MeasureId,
    Options, SiiMethod, check_confidence,
};

use crate::Result;
use crate::args::{DataFormat, number, whole};

/// The heading of `equitas measures --help`.
pub(crate) const ABOUT: &str = "equitas measures: the 21 WHO HEAT summary measures of inequality, \
                                per stratum of a HEAT Plus file";

/// `equitas measures`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Output: one row (CSV) or object (JSON) per stratum x measure with setting, date, source,
indicator_abbr, dimension, measure, estimate, se, ci_lb, ci_ub and reason. A measure that cannot
be computed (too few subgroups, no reference subgroup, a dimension that is not ordered...) has an
empty estimate and says why in reason. Bad rows in the file are all listed (the first 1000 by
row, the others counted) with their row as a spreadsheet shows it (the header is row 1, blank
lines count), column and value, and nothing is computed.

With --over-time, one row per series x measure instead (see --over-time); a file
whose strata have one date each gives the header only.

Example (SYNTHETIC data, not real):
  equitas measures --input seeds/examples/heat-plus-synthetic.csv --measures d,r,sii,rii,bgv \\
      --format json
  equitas measures --input seeds/examples/heat-plus-over-time.csv --over-time --measures d,sii")]
pub(crate) struct Args {
    /// a CSV in the WHO HEAT Plus template layout (- for standard input): one row
    /// per subgroup with setting,date,source,indicator_abbr,dimension,subgroup,
    /// estimate,favourable_indicator,indicator_scale,ordered_dimension,
    /// subgroup_order,reference_subgroup and optionally se,population,
    /// setting_average (others are kept but not used). Measures are computed per
    /// stratum: setting x date x source x indicator_abbr x dimension.
    #[arg(long, value_name = "FILE", required = true, verbatim_doc_comment)]
    input: Option<String>,
    /// all (default) or a comma-separated list of: d, r, aci, rci, sii, rii, bgv,
    /// bgsd, cov, mdmu, mdmw, mdbu, mdbw, mdru, mdrw, idisu, idisw, ti, mld, par, paf
    #[arg(long, value_name = "LIST", value_parser = measure_list, default_value = "all",
          hide_default_value = true, verbatim_doc_comment)]
    measures: MeasureList,
    /// heat-v6 (as WHO HEAT v6 computes, quirks included), healthequal (as the R
    /// package healthequal 1.0.1 where it differs) or corrected (HEAT v6 with its
    /// scale bugs fixed: TI/MLD SE x1000, PAF SE in percent, SII SE on the indicator
    /// scale, MDRU/MDRW simulate the reference subgroup)
    #[arg(long, value_name = "MODE", value_enum, ignore_case = true,
          default_value_t = CompatArg::HeatV6, verbatim_doc_comment)]
    compat: CompatArg,
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = whole(0..=MAX_SEED), default_value_t = Options::default().seed,
          help = format!("seed of the simulated confidence intervals, 0 to {MAX_SEED} (as HEAT \
                          by default)"))]
    seed: u64,
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = whole(MIN_SIMULATIONS..=MAX_SIMULATIONS),
          default_value_t = Options::default().simulations,
          help = format!("simulated datasets per stratum, {MIN_SIMULATIONS} to {MAX_SIMULATIONS} \
                          (a fixed limit: memory and time grow with it; as HEAT by default)"))]
    simulations: usize,
    #[arg(long, value_name = "C", allow_negative_numbers = true, value_parser = confidence,
          default_value_t = Options::default().confidence,
          help = format!("confidence level of intervals, above 0 and at most {MAX_CONFIDENCE}"))]
    confidence: f64,
    /// report RCI x100 (as the technical notes print it) instead of a fraction
    #[arg(long)]
    rci_percent: bool,
    /// logistic (HEAT v5+) or linear (weighted least squares)
    #[arg(long, value_name = "M", value_enum, default_value_t = SiiMethodArg::Logistic)]
    sii_method: SiiMethodArg,
    /// regression (HEAT v5+) or analytic (the technical notes' formula)
    #[arg(long, value_name = "M", value_enum, default_value_t = AciSeArg::Regression)]
    aci_se: AciSeArg,
    /// the file over time: per setting x source x indicator x dimension with two or
    /// more dates, each measure's first and last values, its change with limits, the
    /// verdict (the gap narrowed / widened / no significant change) and the recent
    /// trend as Fingertips tests it (five or more yearly dates); JSON gives every
    /// date's values and each subgroup's series
    #[arg(long, verbatim_doc_comment)]
    over_time: bool,
    /// output format
    #[arg(long, value_name = "F", value_enum, default_value_t = DataFormat::Csv)]
    format: DataFormat,
}

/// `--compat`: the names [`Compat::parse`] reads.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum CompatArg {
    #[value(name = "heat-v6", alias = "heatv6", alias = "heat")]
    HeatV6,
    Healthequal,
    Corrected,
}

impl From<CompatArg> for Compat {
    fn from(c: CompatArg) -> Self {
        match c {
            CompatArg::HeatV6 => Self::HeatV6,
            CompatArg::Healthequal => Self::Healthequal,
            CompatArg::Corrected => Self::Corrected,
        }
    }
}

/// `--sii-method`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum SiiMethodArg {
    Logistic,
    Linear,
}

/// `--aci-se`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum AciSeArg {
    Regression,
    Analytic,
}

/// The measures `--measures` names.
#[derive(Clone, Debug)]
struct MeasureList(Vec<MeasureId>);

/// `all`, or measure ids separated by commas (core's [`MeasureId::parse`] names an unknown one).
fn measure_list(text: &str) -> std::result::Result<MeasureList, String> {
    if text.trim().eq_ignore_ascii_case("all") {
        return Ok(MeasureList(MeasureId::ALL.to_vec()));
    }
    let list = text
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| MeasureId::parse(s).map_err(|e| e.to_string()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if list.is_empty() {
        return Err("give at least one measure".to_owned());
    }
    Ok(MeasureList(list))
}

/// A confidence level core's [`check_confidence`] takes.
fn confidence(text: &str) -> std::result::Result<f64, String> {
    check_confidence(number(text)).map_err(|e| e.to_string())
}

pub(crate) fn run(a: &Args) -> Result<()> {
    let options = Options::default()
        .with_compat(a.compat.into())
        .with_seed(a.seed)
        .with_simulations(a.simulations)
        .with_confidence(a.confidence)
        .with_rci_percent(a.rci_percent)
        .with_sii_method(match a.sii_method {
            SiiMethodArg::Logistic => SiiMethod::Logistic,
            SiiMethodArg::Linear => SiiMethod::Linear,
        })
        .with_concentration_se(match a.aci_se {
            AciSeArg::Regression => ConcentrationSe::Regression,
            AciSeArg::Analytic => ConcentrationSe::Analytic,
        });
    let Some(input) = &a.input else {
        return Err("--input is required".into());
    };
    let reader: Box<dyn Read> = if input == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(input).map_err(|e| format!("cannot open {input}: {e}"))?;
        Box::new(BufReader::new(file))
    };
    let strata = heat_plus::read(reader).map_err(|e| format!("{input}: {e}"))?;
    // Results are written as each stratum is computed, never all held at once.
    let mut out = BufWriter::new(crate::stdout());
    let measures = &a.measures.0;
    if a.over_time {
        // Over time every date's tables are needed together: the whole file is measured.
        let file = measure_file(&strata, &options);
        match a.format {
            DataFormat::Json => {
                let wanted: Vec<&series::SeriesTable> = file.series.iter().collect();
                let filtered: Vec<series::SeriesTable> = wanted
                    .into_iter()
                    .map(|t| {
                        let mut t = t.clone();
                        t.measures.retain(|m| measures.contains(&m.measure));
                        t
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut out, &filtered)?;
                writeln!(out)?;
            }
            DataFormat::Csv => series::write_series_csv(&file.series, measures, &mut out)?,
        }
        out.flush()?;
        return Ok(());
    }
    match a.format {
        DataFormat::Json => {
            heat_plus::write_measures_json(&strata, measures, &options, &mut out)?;
            writeln!(out)?;
        }
        DataFormat::Csv => heat_plus::write_measures_csv(&strata, measures, &options, &mut out)?,
    }
    out.flush()?;
    Ok(())
}
