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
//! import init, * as eq from "./pkg/equitas_wasm.js";
//! await init();
//! const draft = eq.newAssessment("heat", new Date().toISOString());
//! draft.answers["prepare.title"] = "Smoking cessation service redesign";
//! eq.validateAssessment(draft);   // [{ question: "prepare.scope", message: "...", ... }, ...]
//! eq.scoreAssessment(draft);      // { overall: 4.2, band: {...}, sections: [...], gaps: [...] }
//! eq.measureHeatPlus(csvText);    // { strata: [...], results: [{ measure: "sii", ... }] }
//! eq.imdQuintile(3);              // 2
//! eq.classifyPerson({ id: "p1", age: 47, imd_decile: 2, conditions: ["smi"] });
//! ```
//!
//! Assessments cross the boundary as saved-file objects (the JSON `equitas assess` writes).
//! Every function that takes one reads it through core's loader, so an object from an older
//! instrument version is migrated on the way in and a malformed one is an error naming its JSON
//! path, not a guess.
//!
//! The code only exists for wasm targets (as in ruff's `ruff_wasm`), so the workspace still
//! builds and lints on the host.
#![cfg(target_family = "wasm")]

use std::cell::{OnceCell, RefCell};
use std::fmt::Display;

use equitas_core::assessment::{
    self, Assessment, Instrument, InstrumentRef, Loaded, MigrationNote, Registry, SavedFile,
};
use equitas_core::cohort::{Classifier, CohortDefinition, PersonRecord};
use equitas_core::deprivation::ImdDecile;
use equitas_core::io::heat_plus::{self, HeatPlusStratum, MeasureResult};
use equitas_core::measures::{MeasureId, Options};
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

// ---------------------------------------------------------------------------------------------
// Assessments

/// An instrument as the instrument chooser lists it.
#[derive(Debug, Serialize)]
struct InstrumentListing<'a> {
    id: &'a str,
    version: u32,
    title: &'a str,
    description: &'a str,
    sections: Vec<SectionListing<'a>>,
}

/// A section as the instrument chooser lists it.
#[derive(Debug, Serialize)]
struct SectionListing<'a> {
    id: &'a str,
    title: &'a str,
}

/// Every instrument known (the built-ins and any added with `addInstrument`), newest version of
/// each, as `{id, version, title, description, sections: [{id, title}]}`.
#[wasm_bindgen]
pub fn instruments() -> Result<JsValue, JsError> {
    with_registry(|registry| {
        let listing: Vec<InstrumentListing<'_>> = registry
            .ids()
            .into_iter()
            .filter_map(|id| registry.latest(id))
            .map(|i| InstrumentListing {
                id: &i.id,
                version: i.version,
                title: &i.title,
                description: &i.description,
                sections: i
                    .sections
                    .iter()
                    .map(|s| SectionListing {
                        id: &s.id,
                        title: &s.title,
                    })
                    .collect(),
            })
            .collect();
        to_js(&listing)
    })
}

/// The newest version of instrument `id`, whole: sections, questions, rubric and gap rules, as
/// in `seeds/instruments/`.
///
/// @throws {Error} when no instrument has that id
#[wasm_bindgen]
pub fn instrument(id: &str) -> Result<JsValue, JsError> {
    with_registry(|registry| to_js(latest(registry, id)?))
}

/// Registers an organisation's own instrument (JSON text in the instrument schema), checked as
/// core checks the built-ins; returns its `{id, version}`.
///
/// @throws {Error} when the text is not a valid instrument, naming what is wrong
#[wasm_bindgen(js_name = addInstrument)]
pub fn add_instrument(json: &str) -> Result<JsValue, JsError> {
    REGISTRY.with(|cell| {
        let mut slot = cell.borrow_mut();
        let registry = match slot.as_mut() {
            Some(registry) => registry,
            None => slot.insert(Registry::builtin().map_err(js_error)?),
        };
        let added: InstrumentRef = registry.add_json(json).map_err(js_error)?;
        to_js(&added)
    })
}

/// A new, empty assessment of the newest version of instrument `id`, stamped `now` (an ISO 8601
/// time from the page's clock; the engine has none).
///
/// @throws {Error} when no instrument has that id
#[wasm_bindgen(js_name = newAssessment)]
pub fn new_assessment(id: &str, now: &str) -> Result<JsValue, JsError> {
    with_registry(|registry| to_js(&Assessment::new(latest(registry, id)?, now).to_saved()))
}

/// What `loadAssessment` returns.
#[derive(Debug, Serialize)]
struct LoadedFile {
    assessment: SavedFile,
    notes: Vec<NoteOut>,
}

/// A migration note: what happened, in words and as data.
#[derive(Debug, Serialize)]
struct NoteOut {
    message: String,
    #[serde(flatten)]
    note: MigrationNote,
}

/// Reads a saved assessment from JSON text (an imported file): checks it, migrates it to the
/// newest instrument version, and returns `{assessment, notes}` where `notes` says what the
/// migration did (empty for a current file).
///
/// @throws {Error} when the file cannot be loaded; the message lists every problem with its
/// JSON path, and nothing is half-loaded
#[wasm_bindgen(js_name = loadAssessment)]
pub fn load_assessment(json: &str) -> Result<JsValue, JsError> {
    with_registry(|registry| {
        let Loaded { assessment, notes } = assessment::load(json, registry).map_err(js_error)?;
        to_js(&LoadedFile {
            assessment: assessment.to_saved(),
            notes: notes
                .into_iter()
                .map(|note| NoteOut {
                    message: note.to_string(),
                    note,
                })
                .collect(),
        })
    })
}

/// The problems a person must fix before the assessment is complete (`[]` when there are
/// none): `{question, kind, message}` for each, as the form shows them.
///
/// @throws {Error} when `assessment` is not a saved-file object
#[wasm_bindgen(js_name = validateAssessment)]
pub fn validate_assessment(assessment: JsValue) -> Result<JsValue, JsError> {
    with_assessment(assessment, |instrument, a| {
        to_js(&assessment::validate(instrument, &a.answers))
    })
}

/// Each section's status (not started, in progress, completed), for the task list.
///
/// @throws {Error} when `assessment` is not a saved-file object
#[wasm_bindgen(js_name = assessmentProgress)]
pub fn assessment_progress(assessment: JsValue) -> Result<JsValue, JsError> {
    with_assessment(assessment, |instrument, a| {
        to_js(&assessment::progress(instrument, &a.answers))
    })
}

/// The ids of the questions visible with the current answers (conditions applied).
///
/// @throws {Error} when `assessment` is not a saved-file object
#[wasm_bindgen(js_name = visibleQuestions)]
pub fn visible_questions(assessment: JsValue) -> Result<JsValue, JsError> {
    with_assessment(assessment, |instrument, a| {
        to_js(&assessment::visible_questions(instrument, &a.answers))
    })
}

/// The report: section and overall scores with every point explained, the band, gaps with
/// recommendations, the maturity profile and the measures of the quantitative evidence.
///
/// @throws {Error} when `assessment` is not a saved-file object
#[wasm_bindgen(js_name = scoreAssessment)]
pub fn score_assessment(assessment: JsValue) -> Result<JsValue, JsError> {
    with_assessment(assessment, |instrument, a| {
        to_js(&assessment::score(instrument, &a.answers))
    })
}

/// The portfolio view of many assessments as of a date (`YYYY-MM-DD`): counts per band, the
/// commonest gaps, the dimensions least considered, reviews overdue.
///
/// @throws {Error} when `assessments` is not an array of saved-file objects (naming the item)
/// or the date is invalid
#[wasm_bindgen(js_name = summariseAssessments)]
pub fn summarise_assessments(assessments: JsValue, as_of: &str) -> Result<JsValue, JsError> {
    let as_of = assessment::Date::parse(as_of).map_err(|e| js_error(format_args!("as of: {e}")))?;
    let values: Vec<serde_json::Value> = from_js(assessments, "list of assessments")?;
    with_registry(|registry| {
        let mut loaded = Vec::with_capacity(values.len());
        for (i, value) in values.into_iter().enumerate() {
            let a = assessment::load_value(value, registry)
                .map_err(|e| js_error(format_args!("assessment {}: {e}", i + 1)))?
                .assessment;
            loaded.push((format!("assessment {}", i + 1), a));
        }
        let mut items = Vec::with_capacity(loaded.len());
        for (name, a) in &loaded {
            items.push((name.as_str(), instrument_of(registry, a)?, a));
        }
        to_js(&assessment::summary(items, as_of))
    })
}

// ---------------------------------------------------------------------------------------------
// Measures

/// What `measureHeatPlus` returns: the strata read and one result per stratum × measure.
#[derive(Debug, Serialize)]
struct Measured {
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
pub fn measure_heat_plus(csv: &str, options: JsValue) -> Result<JsValue, JsError> {
    let options: Options = if options.is_undefined() || options.is_null() {
        Options::default()
    } else {
        from_js(options, "measure options")?
    };
    let strata = heat_plus::read(csv.as_bytes()).map_err(js_error)?;
    let results = heat_plus::measure_all(&strata, &MeasureId::ALL, &options);
    to_js(&Measured { strata, results })
}

thread_local! {
    /// The instruments: the built-ins, loaded on first use, plus any added by the page.
    static REGISTRY: RefCell<Option<Registry>> = const { RefCell::new(None) };
}

/// Runs `f` with the registry, loading the built-in instruments the first time.
fn with_registry<T>(f: impl FnOnce(&Registry) -> Result<T, JsError>) -> Result<T, JsError> {
    REGISTRY.with(|cell| {
        let mut slot = cell.borrow_mut();
        let registry = match slot.as_mut() {
            Some(registry) => registry,
            None => slot.insert(Registry::builtin().map_err(js_error)?),
        };
        f(registry)
    })
}

/// Reads a saved-file object through core's loader (migrating it) and runs `f` on it.
fn with_assessment<T>(
    value: JsValue,
    f: impl FnOnce(&Instrument, &Assessment) -> Result<T, JsError>,
) -> Result<T, JsError> {
    let value: serde_json::Value = from_js(value, "assessment")?;
    with_registry(|registry| {
        let loaded = assessment::load_value(value, registry).map_err(js_error)?;
        f(
            instrument_of(registry, &loaded.assessment)?,
            &loaded.assessment,
        )
    })
}

/// The newest version of instrument `id`.
fn latest<'r>(registry: &'r Registry, id: &str) -> Result<&'r Instrument, JsError> {
    registry.latest(id).ok_or_else(|| {
        js_error(format_args!(
            "unknown instrument {id:?}; known: {}",
            registry.ids().join(", ")
        ))
    })
}

/// The instrument a loaded assessment answers (the loader has already checked it exists).
fn instrument_of<'r>(registry: &'r Registry, a: &Assessment) -> Result<&'r Instrument, JsError> {
    registry.for_assessment(a).ok_or_else(|| {
        js_error(format_args!(
            "instrument {} version {} is not loaded",
            a.instrument.id, a.instrument.version
        ))
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
