//! # equitas-wasm
//!
//! The equitas engine in the browser: thin [`wasm_bindgen`](mod@wasm_bindgen) exports over `equitas-core`. This
//! crate only translates (JS values in, JS values out, errors to `JsError` in `js_error`); every
//! rule lives in core, where it is tested on the host.
//!
//! Every export returns `Result<_, JsError>`, so bad input throws an ordinary, catchable JS
//! `Error` whose message is core's (for example "IMD decile must be a whole number from 1 to 10,
//! got 11"); nothing reachable from JS panics.
//!
//! ```js
//! import init, { imdQuintile, isCore20Decile, classifyPerson } from "./pkg/equitas_wasm.js";
//! await init();
//! imdQuintile(3);      // 2
//! isCore20Decile(2);   // true
//! classifyPerson({ id: "p1", age: 47, imd_decile: 2, conditions: ["smi"] });
//! // { core20: true, imd_decile: 2, imd_quintile: 1, adult_areas: ["smi"], ... }
//! ```
//!
//! The code only exists for wasm targets (as in ruff's `ruff_wasm`), so the workspace still
//! builds and lints on the host.
#![cfg(target_family = "wasm")]

use std::cell::OnceCell;
use std::fmt::Display;

use equitas_core::cohort::{Classifier, CohortDefinition, PersonRecord};
use equitas_core::deprivation::ImdDecile;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

/// The IMD quintile (1 = most deprived fifth of areas) that an IMD decile (1 = most deprived
/// tenth) falls in.
///
/// @throws {Error} when `decile` is not a whole number from 1 to 10
#[wasm_bindgen(js_name = imdQuintile)]
pub fn imd_quintile(decile: f64) -> Result<u8, JsError> {
    let decile = ImdDecile::from_f64(decile).map_err(js_error)?;
    Ok(decile.quintile().get())
}

/// Whether an IMD decile is in Core20: the most deprived 20% of areas (deciles 1 and 2).
///
/// @throws {Error} when `decile` is not a whole number from 1 to 10
#[wasm_bindgen(js_name = isCore20Decile)]
pub fn is_core20_decile(decile: f64) -> Result<bool, JsError> {
    let decile = ImdDecile::from_f64(decile).map_err(js_error)?;
    Ok(decile.is_core20())
}

/// Classifies one person against the national Core20PLUS5 definition.
///
/// `record` is a plain object with the fields of a person record (`id`, `age`, `date_of_birth`,
/// `sex`, `ethnicity`, `area`, `imd_decile`, `conditions`, `groups`, `smoking`, `events`; all
/// optional, unknown fields refused). The result is a JSON-safe object: Core20, IMD decile and
/// quintile, age band, ethnic group, sex, PLUS groups, adult and children's clinical areas, and
/// the reasons for anything that could not be decided.
///
/// @throws {Error} when the record is malformed or cannot be classified
#[wasm_bindgen(js_name = classifyPerson)]
pub fn classify_person(record: JsValue) -> Result<JsValue, JsError> {
    let record: PersonRecord = from_js(record, "person record")?;
    with_national(|classifier| {
        let membership = classifier.classify(&record).map_err(js_error)?;
        to_js(&classifier.describe(&membership))
    })
}

thread_local! {
    /// The national classifier, compiled from the built-in catalogue on first use.
    static NATIONAL: OnceCell<Classifier<'static>> = const { OnceCell::new() };
}

/// Runs `f` with the national classifier, building it the first time.
fn with_national<T>(
    f: impl FnOnce(&Classifier<'static>) -> Result<T, JsError>,
) -> Result<T, JsError> {
    NATIONAL.with(|cell| {
        let classifier = if let Some(classifier) = cell.get() {
            classifier
        } else {
            let built = Classifier::new(CohortDefinition::national(), None).map_err(js_error)?;
            cell.get_or_init(|| built)
        };
        f(classifier)
    })
}

/// Reads a JS value into a core type; errors read "invalid {what}: ...".
///
/// It goes through `serde_json::Value` because serde-wasm-bindgen reads a struct by asking the
/// object for each field it expects, so it never sees any others and core's
/// `#[serde(deny_unknown_fields)]` would be ignored (RReverser/serde-wasm-bindgen#39): a
/// misspelt `imd_decle` would silently become a missing decile. serde_json costs nothing extra
/// here: core already parses its seeds with it.
fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    let invalid = |e: &dyn Display| js_error(format_args!("invalid {what}: {e}"));
    let value: serde_json::Value =
        serde_wasm_bindgen::from_value(value).map_err(|e| invalid(&e))?;
    T::deserialize(value).map_err(|e| invalid(&e))
}

/// Serialises a result so that it survives `JSON.stringify`: maps as plain objects, missing
/// values as `null`.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

/// The one place errors become JS `Error`s: the message is the error's `Display`.
fn js_error(error: impl Display) -> JsError {
    JsError::new(&error.to_string())
}
