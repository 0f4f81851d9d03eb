//! The data page's measures (cargo feature `measures`; the browser's `equitas_measures.js`): the
//! WHO HEAT measures of a HEAT Plus file, and the rows of an evidence table from a pasted range
//! or a CSV file (which the form loads this module for, only when asked). Only this side reads
//! CSV, so only it enables core's `csv` feature.

use equitas_core::io::measured::{MeasuredFile, measure_file};
use equitas_core::io::{evidence, heat_plus};
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

/// The rows of an evidence table (`EvidenceRow`s, as a saved assessment holds them) from a range
/// pasted from a spreadsheet (tab-separated) or a CSV file: a first row naming the columns is a
/// header; without one the cells are subgroup, order, estimate, population, standard error,
/// lower limit, upper limit. `dimension` fills every row that does not name its own. A table in
/// the WHO HEAT Plus layout (`equitas cohorts --csv-table heat-plus`) gives the rows of its
/// stratum number `stratum` (1 = the first; see `evidenceStrata`), with its indicator, direction,
/// scale and the subgroups it gives no estimate (`heat_plus`).
///
/// @throws {Error} naming the row and column of every cell that cannot be read (a decimal comma,
/// an order that is not a whole number, a row without a subgroup), or when there are no rows or
/// more than 1,000; for a HEAT Plus table, its problems, or its strata when it holds several and
/// none is named, or when `stratum` is not a whole number from 1 up
#[wasm_bindgen(js_name = readEvidence)]
pub fn read_evidence(
    text: &str,
    dimension: Option<String>,
    stratum: Option<f64>,
) -> Result<Ts<evidence::EvidenceRead>, JsError> {
    // A number from JavaScript, checked rather than wrapped (-1 is not stratum 4294967295).
    let stratum = stratum
        .map(evidence::stratum_number)
        .transpose()
        .map_err(js_error)?;
    let read = evidence::read_with(text, dimension.as_deref(), stratum).map_err(js_error)?;
    to_ts(&read)
}

/// The strata of a HEAT Plus table, to choose one for `readEvidence` (the first 200, the rest
/// counted); none for text that is not one.
///
/// @throws {Error} listing the HEAT Plus table's problems by row and column
#[wasm_bindgen(js_name = evidenceStrata)]
pub fn evidence_strata(text: &str) -> Result<Ts<evidence::Strata>, JsError> {
    to_ts(&evidence::strata(text).map_err(js_error)?)
}

/// Where rows go in an evidence table: `table` is the table's rows now and `rows` the new ones,
/// each `{dimension, subgroup}`. A new row of a subgroup already in the table (the same
/// dimension and subgroup, spaces around them and the case of letters aside) takes that row's
/// place; the others are added after the table's rows. The result lists the table's rows in
/// order, each as its index in `[...table, ...rows]`, and how many were added and replaced.
///
/// @throws {Error} naming the place of an item that is not `{dimension, subgroup}`
#[wasm_bindgen(js_name = placeEvidence)]
pub fn place_evidence(
    #[wasm_bindgen(unchecked_param_type = "SubgroupKey[]")] table: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SubgroupKey[]")] rows: JsValue,
) -> Result<Ts<evidence::Placement>, JsError> {
    let table: Vec<evidence::SubgroupKey> = from_js(&table, "evidence table")?;
    let rows: Vec<evidence::SubgroupKey> = from_js(&rows, "evidence rows")?;
    to_ts(&evidence::place(&table, &rows))
}
