//! The cohort classifier (cargo feature `cohort`; the browser's `equitas_cohort.js`): the
//! Core20PLUS5 classification of a person and of IMD deciles. No page loads it yet; it is built
//! for embedders. It reads no CSV (a person record crosses as a JS object), so it does not enable
//! core's `csv` feature.

use std::cell::OnceCell;

use equitas_core::cohort::MembershipReport;
use equitas_core::cohort::{Classifier, CohortDefinition, PersonRecord};
use equitas_core::deprivation::ImdDecile;
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
pub fn classify_person(record: Ts<PersonRecord>) -> Result<Ts<MembershipReport>, JsError> {
    let record: PersonRecord = from_js(&record.js_value(), "person record")?;
    with_national(|classifier| {
        let membership = classifier.classify(&record).map_err(js_error)?;
        to_ts(&classifier.describe(&membership))
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
