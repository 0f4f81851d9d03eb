//! `equitas measures`: the 21 WHO HEAT summary measures for a file in the HEAT Plus layout.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};

use equitas_core::io::heat_plus;
use equitas_core::measures::{
    Compat, ConcentrationSe, MAX_CONFIDENCE, MAX_SEED, MAX_SIMULATIONS, MIN_SIMULATIONS, MeasureId,
    Options, SiiMethod, check_confidence, check_simulations,
};
use lexopt::ValueExt;

use crate::{Format, Result, next_option, parse_format, unknown_option, usage_error};

const HELP: &str = "\
equitas measures: the 21 WHO HEAT summary measures of inequality, per stratum of a HEAT Plus file

Usage: equitas measures --input FILE [--measures all|d,r,sii,...] [--compat MODE] [--seed N]
                        [--format csv|json]

  --input FILE        a CSV in the WHO HEAT Plus template layout (- for standard input): one row
                      per subgroup with setting,date,source,indicator_abbr,dimension,subgroup,
                      estimate,favourable_indicator,indicator_scale,ordered_dimension,
                      subgroup_order,reference_subgroup and optionally se,population,
                      setting_average (others are kept but not used). Measures are computed per
                      stratum: setting x date x source x indicator_abbr x dimension.
  --measures LIST     all (default) or a comma-separated list of: d, r, aci, rci, sii, rii, bgv,
                      bgsd, cov, mdmu, mdmw, mdbu, mdbw, mdru, mdrw, idisu, idisw, ti, mld, par, paf
  --compat MODE       heat-v6 (default: as WHO HEAT v6 computes, quirks included), healthequal
                      (as the R package healthequal 1.0.1 where it differs) or corrected (HEAT v6
                      with its scale bugs fixed: TI/MLD SE x1000, PAF SE in percent, SII SE on the
                      indicator scale, MDRU/MDRW simulate the reference subgroup)
  --seed N            seed of the simulated confidence intervals, 0 to 18446744073709551615
                      (default 123456, as HEAT)
  --simulations N     simulated datasets per stratum, 2 to 1000000 (default 100, as HEAT)
  --confidence C      confidence level of intervals, above 0 and at most 0.999999 (default
                      0.95)
  --rci-percent       report RCI x100 (as the technical notes print it) instead of a fraction
  --sii-method M      logistic (default, HEAT v5+) or linear (weighted least squares)
  --aci-se M          regression (default, HEAT v5+) or analytic (the technical notes' formula)
  --format F          csv (default) or json

Output: one row (CSV) or object (JSON) per stratum x measure with setting, date, source,
indicator_abbr, dimension, measure, estimate, se, ci_lb, ci_ub and reason. A measure that cannot
be computed (too few subgroups, no reference subgroup, a dimension that is not ordered...) has an
empty estimate and says why in reason. Bad rows in the file are all listed (the first 1000 by
row, the others counted) with their row as a spreadsheet shows it (the header is row 1, blank
lines count), column and value, and nothing is computed.

Example (SYNTHETIC data, not real):
  equitas measures --input seeds/examples/heat-plus-synthetic.csv --measures d,r,sii,rii,bgv \\
      --format json
";

fn parse_measures(v: &str) -> Result<Vec<MeasureId>> {
    if v.trim().eq_ignore_ascii_case("all") {
        return Ok(MeasureId::ALL.to_vec());
    }
    v.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| MeasureId::parse(s).map_err(|e| usage_error(format!("--measures: {e}"))))
        .collect::<Result<Vec<_>>>()
        .and_then(|m| {
            if m.is_empty() {
                Err(usage_error("--measures needs at least one measure"))
            } else {
                Ok(m)
            }
        })
}

fn value(parser: &mut lexopt::Parser) -> Result<String> {
    Ok(parser.value()?.string()?)
}

pub(crate) fn run(mut parser: lexopt::Parser) -> Result<()> {
    let mut input: Option<String> = None;
    let mut measures = MeasureId::ALL.to_vec();
    let mut options = Options::default();
    let mut format = Format::Csv;
    while let Some(name) = next_option(&mut parser, HELP)? {
        match name.as_str() {
            "--input" => input = Some(value(&mut parser)?),
            "--measures" => measures = parse_measures(&value(&mut parser)?)?,
            "--compat" => {
                let v = value(&mut parser)?;
                let compat = Compat::parse(&v).ok_or_else(|| {
                    usage_error(format!(
                        "--compat must be heat-v6, healthequal or corrected, got {v:?}"
                    ))
                })?;
                options = options.with_compat(compat);
            }
            "--seed" => {
                let v = value(&mut parser)?;
                let seed = v.trim().parse::<u64>().map_err(|_| {
                    usage_error(format!(
                        "--seed must be a whole number from 0 to {MAX_SEED}, got {v:?}"
                    ))
                })?;
                options = options.with_seed(seed);
            }
            "--simulations" => {
                let v = value(&mut parser)?;
                let n = v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| check_simulations(n).ok())
                    .ok_or_else(|| {
                        usage_error(format!(
                            "--simulations must be a whole number from {MIN_SIMULATIONS} to \
                             {MAX_SIMULATIONS} (a fixed limit: memory and time grow with it), \
                             got {v:?}"
                        ))
                    })?;
                options = options.with_simulations(n);
            }
            "--confidence" => {
                let v = value(&mut parser)?;
                let c = v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(|c| check_confidence(c).ok())
                    .ok_or_else(|| {
                        usage_error(format!(
                            "--confidence must be a number greater than 0 and at most \
                             {MAX_CONFIDENCE} (a fixed limit), got {v:?}"
                        ))
                    })?;
                options = options.with_confidence(c);
            }
            "--rci-percent" => options = options.with_rci_percent(true),
            "--sii-method" => {
                let v = value(&mut parser)?;
                let m = match v.as_str() {
                    "logistic" => SiiMethod::Logistic,
                    "linear" => SiiMethod::Linear,
                    _ => {
                        return Err(usage_error(format!(
                            "--sii-method must be logistic or linear, got {v:?}"
                        )));
                    }
                };
                options = options.with_sii_method(m);
            }
            "--aci-se" => {
                let v = value(&mut parser)?;
                let m = match v.as_str() {
                    "regression" => ConcentrationSe::Regression,
                    "analytic" => ConcentrationSe::Analytic,
                    _ => {
                        return Err(usage_error(format!(
                            "--aci-se must be regression or analytic, got {v:?}"
                        )));
                    }
                };
                options = options.with_concentration_se(m);
            }
            "--format" => {
                format = parse_format(&value(&mut parser)?)?;
                if format == Format::Table {
                    return Err(usage_error(
                        "equitas measures writes csv or json, not a table",
                    ));
                }
            }
            "--help" | "-h" => {
                crate::out(HELP)?;
                return Ok(());
            }
            _ => return Err(unknown_option(&name, HELP)),
        }
    }
    let input = input.ok_or_else(|| usage_error(format!("--input is required\n\n{HELP}")))?;
    let reader: Box<dyn Read> = if input == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(&input).map_err(|e| format!("cannot open {input}: {e}"))?;
        Box::new(BufReader::new(file))
    };
    let strata = heat_plus::read(reader).map_err(|e| format!("{input}: {e}"))?;
    // Results are written as each stratum is computed, never all held at once.
    let mut out = BufWriter::new(io::stdout().lock());
    match format {
        Format::Json => {
            heat_plus::write_measures_json(&strata, &measures, &options, &mut out)?;
            writeln!(out)?;
        }
        _ => heat_plus::write_measures_csv(&strata, &measures, &options, &mut out)?,
    }
    out.flush()?;
    Ok(())
}
