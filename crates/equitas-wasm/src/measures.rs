//! The data page's measures (cargo feature `measures`; the browser's `equitas_measures.js`): the
//! WHO HEAT measures of a HEAT Plus file. Only this side reads CSV, so only it enables core's
//! `csv` feature.

use equitas_core::io::heat_plus::{self, HeatPlusStratum, MeasureResult};
use equitas_core::measures::{MeasureId, Options};
use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use crate::convert::{from_js, js_error, to_ts};

/// What `measureHeatPlus` returns: the strata read and one result per stratum × measure.
#[derive(Debug, Serialize, Tsify)]
pub struct Measured {
    strata: Vec<HeatPlusStratum>,
    results: Vec<MeasureResult>,
}

/// All 21 WHO HEAT summary measures for a CSV in the HEAT Plus layout, computed here.
///
/// `options` is optional: `{compat: "heat-v6" | "healthequal" | "corrected", seed, simulations,
/// confidence, rci_percent, sii_method: "logistic" | "linear", concentration_se: "regression" |
/// "analytic"}`, each defaulting as in `equitas measures`.
///
/// @throws {Error} listing every bad row, column and value of the file, or naming a bad option
#[wasm_bindgen(js_name = measureHeatPlus)]
pub fn measure_heat_plus(csv: &str, options: Option<Ts<Options>>) -> Result<Ts<Measured>, JsError> {
    let options: Options = match options {
        None => Options::default(),
        Some(options) => from_js(&options.js_value(), "measure options")?,
    };
    let strata = heat_plus::read(csv.as_bytes()).map_err(js_error)?;
    let results = heat_plus::measure_all(&strata, &MeasureId::ALL, &options);
    to_ts(&Measured { strata, results })
}
