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
use equitas_core::assessment::{FieldError, Report, SectionProgress, Summary};
use equitas_core::cohort::MembershipReport;
use equitas_core::cohort::{Classifier, CohortDefinition, PersonRecord};
use equitas_core::deprivation::ImdDecile;
use equitas_core::io::heat_plus::{self, HeatPlusStratum, MeasureResult};
use equitas_core::measures::{MeasureId, Options};
use equitas_core::read::{self, FromJson};
use serde::Serialize;
use tsify::{Ts, Tsify};
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
pub fn classify_person(record: Ts<PersonRecord>) -> Result<Ts<MembershipReport>, JsError> {
    let record: PersonRecord = from_js(&record.js_value(), "person record")?;
    with_national(|classifier| {
        let membership = classifier.classify(&record).map_err(js_error)?;
        to_ts(&classifier.describe(&membership))
    })
}

// ---------------------------------------------------------------------------------------------
// Assessments

/// An instrument as the instrument chooser lists it.
#[derive(Debug, Serialize, Tsify)]
pub struct InstrumentListing<'a> {
    id: &'a str,
    version: u32,
    title: &'a str,
    description: &'a str,
    sections: Vec<SectionListing<'a>>,
}

/// A section as the instrument chooser lists it.
#[derive(Debug, Serialize, Tsify)]
pub struct SectionListing<'a> {
    id: &'a str,
    title: &'a str,
}

/// Every instrument known (the built-ins and any added with `addInstrument`), newest version of
/// each, as `{id, version, title, description, sections: [{id, title}]}`.
#[wasm_bindgen(unchecked_return_type = "InstrumentListing[]")]
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
pub fn instrument(id: &str) -> Result<Ts<Instrument>, JsError> {
    with_registry(|registry| to_ts(latest(registry, id)?))
}

/// Registers an organisation's own instrument (JSON text in the instrument schema), checked as
/// core checks the built-ins; returns its `{id, version}`.
///
/// @throws {Error} when the text is not a valid instrument, naming what is wrong
#[wasm_bindgen(js_name = addInstrument)]
pub fn add_instrument(json: &str) -> Result<Ts<InstrumentRef>, JsError> {
    REGISTRY.with(|cell| {
        let mut slot = cell.borrow_mut();
        let registry = match slot.as_mut() {
            Some(registry) => registry,
            None => slot.insert(Registry::builtin().map_err(js_error)?),
        };
        let added: InstrumentRef = registry.add_json(json).map_err(js_error)?;
        to_ts(&added)
    })
}

/// A new, empty assessment of the newest version of instrument `id`, stamped `now` (an ISO 8601
/// time from the page's clock; the engine has none).
///
/// @throws {Error} when no instrument has that id
#[wasm_bindgen(js_name = newAssessment)]
pub fn new_assessment(id: &str, now: &str) -> Result<Ts<SavedFile>, JsError> {
    with_registry(|registry| to_ts(&Assessment::new(latest(registry, id)?, now).to_saved()))
}

/// What `loadAssessment` returns.
#[derive(Debug, Serialize, Tsify)]
pub struct LoadedFile {
    assessment: SavedFile,
    notes: Vec<NoteOut>,
}

/// A migration note: what happened, in words and as data.
/// (`MigrationNote` is an enum, flattened beside `message`, so the TypeScript is an intersection.)
#[derive(Debug, Tsify)]
#[tsify(type = "{ message: string } & MigrationNote")]
pub struct NoteOut {
    message: String,
    note: MigrationNote,
}

// `{"message": …, "<Variant>": {…}}`, what `#[serde(flatten)]` on `note` writes, by hand:
// flattening an enum's struct variant buffers its fields in serde's `Content` type, a copy of
// which (with its serializer) was this field's whole cost in the wasm build. The note goes
// through `serde_json::Value` (already compiled in for answers), whose object is `{variant:
// fields}`; its entries are written after `message`, as flatten writes them. (A `Value` object
// keeps its keys sorted; every note's fields, `from`/`to` and `question`/`reason`, are declared
// in that order too, and tests/node.rs pins the text.)
impl Serialize for NoteOut {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let note = serde_json::to_value(&self.note).map_err(S::Error::custom)?;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("message", &self.message)?;
        if let serde_json::Value::Object(entries) = &note {
            for (key, value) in entries {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// Reads a saved assessment from JSON text (an imported file): checks it, migrates it to the
/// newest instrument version, and returns `{assessment, notes}` where `notes` says what the
/// migration did (empty for a current file).
///
/// @throws {Error} when the file cannot be loaded; the message lists every problem with its
/// JSON path, and nothing is half-loaded
#[wasm_bindgen(js_name = loadAssessment)]
pub fn load_assessment(json: &str) -> Result<Ts<LoadedFile>, JsError> {
    with_registry(|registry| {
        let Loaded { assessment, notes } = assessment::load(json, registry).map_err(js_error)?;
        to_ts(&LoadedFile {
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
#[wasm_bindgen(js_name = validateAssessment, unchecked_return_type = "FieldError[]")]
pub fn validate_assessment(assessment: Ts<SavedFile>) -> Result<JsValue, JsError> {
    with_assessment(assessment, |instrument, a| {
        let errors: Vec<FieldError> = assessment::validate(instrument, &a.answers);
        to_js(&errors)
    })
}

/// Each section's status (not started, in progress, completed), for the task list.
///
/// @throws {Error} when `assessment` is not a saved-file object
#[wasm_bindgen(js_name = assessmentProgress, unchecked_return_type = "SectionProgress[]")]
pub fn assessment_progress(assessment: Ts<SavedFile>) -> Result<JsValue, JsError> {
    with_assessment(assessment, |instrument, a| {
        let progress: Vec<SectionProgress> = assessment::progress(instrument, &a.answers);
        to_js(&progress)
    })
}

/// The ids of the questions visible with the current answers (conditions applied).
///
/// @throws {Error} when `assessment` is not a saved-file object
#[wasm_bindgen(js_name = visibleQuestions, unchecked_return_type = "string[]")]
pub fn visible_questions(assessment: Ts<SavedFile>) -> Result<JsValue, JsError> {
    with_assessment(assessment, |instrument, a| {
        to_js(&assessment::visible_questions(instrument, &a.answers))
    })
}

/// The report: section and overall scores with every point explained, the band, gaps with
/// recommendations, the maturity profile and the measures of the quantitative evidence.
///
/// @throws {Error} when `assessment` is not a saved-file object
#[wasm_bindgen(js_name = scoreAssessment)]
pub fn score_assessment(assessment: Ts<SavedFile>) -> Result<Ts<Report>, JsError> {
    with_assessment(assessment, |instrument, a| {
        let report: Report = assessment::score(instrument, &a.answers);
        to_ts(&report)
    })
}

/// The portfolio view of many assessments as of a date (`YYYY-MM-DD`): counts per band, the
/// commonest gaps, the dimensions least considered, reviews overdue.
///
/// @throws {Error} when `assessments` is not an array of saved-file objects (naming the item)
/// or the date is invalid
#[wasm_bindgen(js_name = summariseAssessments)]
pub fn summarise_assessments(
    #[wasm_bindgen(unchecked_param_type = "SavedFile[]")] assessments: JsValue,
    as_of: &str,
) -> Result<Ts<Summary>, JsError> {
    let as_of = assessment::Date::parse(as_of).map_err(|e| js_error(format_args!("as of: {e}")))?;
    let serde_json::Value::Array(values) = json_of(&assessments, "list of assessments")? else {
        return Err(js_error("invalid list of assessments: expected a list"));
    };
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
        let summary: Summary = assessment::summary(items, as_of);
        to_ts(&summary)
    })
}

// ---------------------------------------------------------------------------------------------
// Measures

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
    value: Ts<SavedFile>,
    f: impl FnOnce(&Instrument, &Assessment) -> Result<T, JsError>,
) -> Result<T, JsError> {
    let value = json_of(&value.js_value(), "assessment")?;
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

/// Reads a JS value into a core type through JSON text; errors read "invalid {what}: ...".
///
/// `JSON.stringify` and core's reader (`equitas_core::read`) are the one way in: the same reader
/// core uses for files, so unknown fields are refused (a misspelt `imd_decle` is an error, not a
/// silently missing decile) and every error names the JSON pointer of the bad value.
/// `undefined` reads as `null`.
fn from_js<T: FromJson>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let json = json_of(value, what)?;
    T::from_json(&json, "").map_err(|e| js_error(format_args!("invalid {what}: {e}")))
}

/// A JS value as parsed JSON (through `JSON.stringify`, so always well-formed).
fn json_of(value: &JsValue, what: &str) -> Result<serde_json::Value, JsError> {
    let text = js_sys::JSON::stringify(value)
        .map_err(|_| js_error(format_args!("invalid {what}: not a JSON value")))?
        .as_string()
        .unwrap_or_else(|| "null".to_owned());
    read::parse(&text).map_err(|e| js_error(format_args!("invalid {what}: {e}")))
}

/// Writes a result as a plain JS value (`JSON.parse` of its JSON): maps as plain objects,
/// missing values as `null`, exactly the JSON the CLI prints.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(js_error)?;
    js_sys::JSON::parse(&text).map_err(|_| js_error("result is not JSON"))
}

/// [`to_js`] typed for the `.d.ts`.
fn to_ts<T: Tsify + Serialize>(value: &T) -> Result<Ts<T>, JsError> {
    to_js(value).map(Ts::new_unchecked)
}

/// The one place errors become JS `Error`s: the message is the error's `Display`.
fn js_error(error: impl Display) -> JsError {
    JsError::new(&error.to_string())
}
