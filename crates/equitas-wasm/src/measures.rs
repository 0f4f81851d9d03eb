//! The data page's measures (cargo feature `measures`; the browser's `equitas_measures.js`): the
//! WHO HEAT measures of a HEAT Plus file. Only this side reads CSV, so only it enables core's
//! `csv` feature.

use equitas_core::io::heat_plus;
use equitas_core::io::measured::{MeasuredFile, measure_file};
use equitas_core::measures::Options;
use tsify::Ts;
use wasm_bindgen::prelude::*;

use crate::convert::{from_js, js_error, to_ts};

/// All 21 WHO HEAT summary measures for a CSV in the HEAT Plus layout, computed here, as the data
/// page draws them (core's `MeasuredFile`): the method and confidence level named, the glossary
/// of the measures, and per stratum (`tables`) every measure with its names and value or why
/// there is none, and a chart of the subgroups (whiskers, ridits, the SII line, the D bracket,
/// the notes under it).
///
/// `options` is optional: `{compat: "heat-v6" | "healthequal" | "corrected", seed, simulations,
/// confidence, rci_percent, sii_method: "logistic" | "linear", concentration_se: "regression" |
/// "analytic"}`, each defaulting as in `equitas measures`.
///
/// @throws {Error} listing every bad row, column and value of the file, or naming a bad option
#[wasm_bindgen(js_name = measureHeatPlus)]
pub fn measure_heat_plus(
    csv: &str,
    options: Option<Ts<Options>>,
) -> Result<Ts<MeasuredFile>, JsError> {
    let options: Options = match options {
        None => Options::default(),
        Some(options) => from_js(&options.js_value(), "measure options")?,
    };
    let strata = heat_plus::read(csv.as_bytes()).map_err(js_error)?;
    to_ts(&measure_file(&strata, &options))
}
