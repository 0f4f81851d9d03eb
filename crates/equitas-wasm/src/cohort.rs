//! The cohort classifier (cargo feature `cohort`; the browser's `equitas_cohort.js`): the
//! Core20PLUS5 classification of a person (under the national definition or the caller's own,
//! a local one layered on a built-in one too) and of IMD deciles. No page loads it yet; it is
//! built for embedders. It reads no CSV (a person record crosses as a JS object), so it does not
//! enable core's `csv` feature.

use std::cell::OnceCell;

use equitas_core::cohort::MembershipReport;
use equitas_core::cohort::{Classifier, CohortDefinition, PersonRecord};
use equitas_core::deprivation::ImdDecile;
use equitas_core::read::FromJson;
use serde_json::Value;
use tsify::Ts;
use wasm_bindgen::prelude::*;

use crate::convert::{from_js, js_error, to_ts};

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

/// What `classifyPerson` takes besides the record. Unknown fields are refused.
#[derive(Debug, FromJson)]
#[serde(deny_unknown_fields)]
#[json(expected = "classify options: an object")]
struct ClassifyOptions {
    /// The cohort definition as its file holds it: a whole one, or a local one (with
    /// `extends`) layered on the built-in definition it names. The national definition when
    /// absent.
    #[serde(default)]
    definition: Option<Value>,
}

/// Classifies one person against the national Core20PLUS5 definition, or the caller's own.
///
/// `record` is a plain object with the fields of a person record (`id`, `age`, `date_of_birth`,
/// `sex`, `ethnicity`, `area`, `imd_decile`, `conditions`, `groups`, `smoking`, `events`; all
/// optional, unknown fields refused). `options` is optional: `{definition}`, a cohort
/// definition as its JSON file holds it, whole or local (`{"extends": "national", "targets":
/// [...], "plus_groups": [...], ...}`, layered on the built-in one it names, as `equitas
/// cohorts --definition` reads it). The result is a JSON-safe object: Core20, IMD decile and
/// quintile, age band, ethnic group, sex, PLUS groups, adult and children's clinical areas, and
/// the reasons for anything that could not be decided.
///
/// @throws {Error} when the record or the options are malformed (naming the JSON pointer, in
/// the definition too) or the record cannot be classified
#[wasm_bindgen(js_name = classifyPerson)]
pub fn classify_person(
    record: Ts<PersonRecord>,
    options: Option<JsValue>,
) -> Result<Ts<MembershipReport>, JsError> {
    let record: PersonRecord = from_js(&record.js_value(), "person record")?;
    let options: Option<ClassifyOptions> = match options {
        Some(o) if !o.is_undefined() && !o.is_null() => Some(from_js(&o, "classify options")?),
        _ => None,
    };
    let Some(definition) = options.and_then(|o| o.definition) else {
        return with_national(|classifier| {
            let membership = classifier.classify(&record).map_err(js_error)?;
            to_ts(&classifier.describe(&membership))
        });
    };
    let bad = |e: &dyn std::fmt::Display| js_error(format_args!("invalid classify options: {e}"));
    let definition =
        CohortDefinition::from_value(&definition, "/definition").map_err(|e| bad(&e))?;
    let classifier = Classifier::new(definition, None).map_err(|e| bad(&e))?;
    let membership = classifier.classify(&record).map_err(js_error)?;
    to_ts(&classifier.describe(&membership))
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
