//! The assessment engine (cargo feature `assess`; the browser's `equitas_wasm.js`): instruments,
//! new, loaded and imported assessments, validation, progress, visible questions, scoring and the
//! portfolio summary. What the start page, the form and the results page call.

use std::cell::Cell;
use std::rc::Rc;

use equitas_core::assessment::{
    self, Assessment, Instrument, InstrumentRef, Loaded, MigrationNote, Registry, SavedFile,
};
use equitas_core::assessment::{FieldError, ReportModel, SectionProgress, Summary};
use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use equitas_core::read;

use crate::convert::{WithoutNulls, js_error, json_of, refuse_unholdable, text_of, to_js, to_ts};

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

/// The newest version of instrument `id`, whole: sections, questions, rubric and gap rules, in
/// the layout of `seeds/instruments/` (the file as it was read, without `null` members).
///
/// @throws {Error} when no instrument has that id
#[wasm_bindgen]
pub fn instrument(id: &str) -> Result<Ts<Instrument>, JsError> {
    with_registry(|registry| {
        let i = latest(registry, id)?;
        // The JSON kept when the instrument was read: writing the parsed instrument again
        // would compile its serialiser into the module (about 10 KB) to say the same thing.
        // Its `null`s (optional fields, which read as absent) are left out, as the TypeScript
        // type has them.
        let json = registry
            .json(&i.id, i.version)
            .ok_or_else(|| js_error(format_args!("instrument {id:?} has no JSON")))?;
        to_js(&WithoutNulls(json)).map(Ts::new_unchecked)
    })
}

/// Registers an organisation's own instrument (JSON text in the instrument schema), checked as
/// core checks the built-ins; returns its `{id, version}`.
///
/// @throws {Error} when the text is not a valid instrument, naming what is wrong, or is longer
/// than the engine reads in one call (64 MiB)
#[wasm_bindgen(js_name = addInstrument)]
pub fn add_instrument(
    #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
) -> Result<Ts<InstrumentRef>, JsError> {
    let json = text_of(&json, "instrument")?;
    // The JSON kept is what `instrument()` returns, so it may not hold what JS cannot (text
    // that is not JSON is left to the registry, which says why).
    if let Ok(value) = read::parse(&json) {
        refuse_unholdable(&value, "instrument is not valid: ")?;
    }
    // A copy is changed and then put in place: a trap while adding leaves the registry the
    // page had, never a half-added one (see `REGISTRY`).
    let mut next = Registry::clone(&*registry()?);
    let added: InstrumentRef = next.add_json(&json).map_err(js_error)?;
    REGISTRY.with(|cell| cell.set(Some(Rc::new(next))));
    to_ts(&added)
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
/// JSON path, and nothing is half-loaded; or when the text is longer than the engine reads in
/// one call (64 MiB)
#[wasm_bindgen(js_name = loadAssessment)]
pub fn load_assessment(
    #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
) -> Result<Ts<LoadedFile>, JsError> {
    let json = text_of(&json, "saved assessment")?;
    // Parsed here, as `assessment::load` would, to refuse first what JS cannot hold.
    let value = read::parse(&json).map_err(|e| js_error(assessment::LoadError::from(e)))?;
    refuse_unholdable(&value, "")?;
    with_registry(|registry| {
        let Loaded { assessment, notes } =
            assessment::load_value(value, registry).map_err(js_error)?;
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
/// none): `{question, kind, message}` for each, as the form shows them. Given `today`
/// (`YYYY-MM-DD`, from the page's clock; the engine has none), an assessment date after it is
/// one of them.
///
/// @throws {Error} when `assessment` is not a saved-file object, or `today` is not a date
#[wasm_bindgen(js_name = validateAssessment, unchecked_return_type = "FieldError[]")]
pub fn validate_assessment(
    assessment: Ts<SavedFile>,
    today: Option<String>,
) -> Result<JsValue, JsError> {
    let (registry, a) = loaded(&assessment)?;
    to_js(&problems(&registry, &a, today)?)
}

/// Each section's status (not started, in progress, completed), for the task list; `today` as
/// for `validateAssessment`, so the two agree.
///
/// @throws {Error} when `assessment` is not a saved-file object, or `today` is not a date
#[wasm_bindgen(js_name = assessmentProgress, unchecked_return_type = "SectionProgress[]")]
pub fn assessment_progress(
    assessment: Ts<SavedFile>,
    today: Option<String>,
) -> Result<JsValue, JsError> {
    let (registry, a) = loaded(&assessment)?;
    let errors = problems(&registry, &a, today)?;
    let progress: Vec<SectionProgress> =
        assessment::progress_with(instrument_of(&registry, &a)?, &a.answers, &errors);
    to_js(&progress)
}

/// Core's validation of `a` as of `today`, if given.
fn problems(
    registry: &Registry,
    a: &Assessment,
    today: Option<String>,
) -> Result<Vec<FieldError>, JsError> {
    let today = today
        .map(|t| assessment::Date::parse(&t))
        .transpose()
        .map_err(|e| js_error(format_args!("today: {e}")))?;
    Ok(assessment::validate_as_of(
        instrument_of(registry, a)?,
        &a.answers,
        today,
    ))
}

/// The ids of the questions visible with the current answers (conditions applied).
///
/// @throws {Error} when `assessment` is not a saved-file object
#[wasm_bindgen(js_name = visibleQuestions, unchecked_return_type = "string[]")]
pub fn visible_questions(assessment: Ts<SavedFile>) -> Result<JsValue, JsError> {
    let (registry, a) = loaded(&assessment)?;
    to_js(&assessment::visible_questions(
        instrument_of(&registry, &a)?,
        &a.answers,
    ))
}

/// The report as the results page draws it (core's `ReportModel`, which the CLI's Markdown and
/// HTML draw too): section and overall scores with every point explained, the band and every
/// band's range, gaps with recommendations and where they are, the action plan in words, the
/// maturity profile, and the measures of the quantitative evidence with their names and a chart
/// of the subgroups. It has every field of the scored report `equitas assess score --format
/// json` writes, with the same values.
///
/// @throws {Error} when `assessment` is not a saved-file object
#[wasm_bindgen(js_name = scoreAssessment)]
pub fn score_assessment(assessment: Ts<SavedFile>) -> Result<Ts<ReportModel>, JsError> {
    let (registry, a) = loaded(&assessment)?;
    to_ts(&ReportModel::score(
        instrument_of(&registry, &a)?,
        &a.answers,
    ))
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

thread_local! {
    /// The instruments: the built-ins, loaded on first use, plus any added by the page.
    ///
    /// No call holds a borrow of this cell while it works. A trap (running out of memory, for
    /// one) stops wasm where it is, without unwinding: no destructor runs, so a `RefCell` borrow
    /// guard held across the call would stay borrowed and every later call would trap too, even
    /// `instruments()`. Here a call only swaps an `Rc` out and back in one step, with nothing
    /// between that can fail, and works on its own clone of the `Rc`; `addInstrument` builds a
    /// new registry and swaps it in at the end. So after any failure the cell holds the registry
    /// as it was before the failed call, and the next call works. (A trapped call's clone is
    /// never dropped, which only keeps that registry in memory.)
    static REGISTRY: Cell<Option<Rc<Registry>>> = const { Cell::new(None) };
}

/// The registry, loading the built-in instruments the first time.
fn registry() -> Result<Rc<Registry>, JsError> {
    let current = REGISTRY.with(|cell| {
        let current = cell.take();
        cell.set(current.clone());
        current
    });
    if let Some(registry) = current {
        return Ok(registry);
    }
    // Built outside the cell: a trap here leaves it empty, as it was.
    let built = Rc::new(Registry::builtin().map_err(js_error)?);
    REGISTRY.with(|cell| cell.set(Some(Rc::clone(&built))));
    Ok(built)
}

/// Runs `f` with the registry (see [`registry`]).
fn with_registry<T>(f: impl FnOnce(&Registry) -> Result<T, JsError>) -> Result<T, JsError> {
    f(&*registry()?)
}

/// Reads a saved-file object through core's loader (migrating it); returns it with the
/// registry that holds its instrument ([`instrument_of`]). Not generic, unlike a closure-taking
/// helper, so the exports that take an assessment share one copy of the loading code rather
/// than each compiling its own (about 700 bytes each in the assessment engine).
fn loaded(value: &Ts<SavedFile>) -> Result<(Rc<Registry>, Assessment), JsError> {
    let value = json_of(&value.js_value(), "assessment")?;
    let registry = registry()?;
    let loaded = assessment::load_value(value, &registry).map_err(js_error)?;
    Ok((registry, loaded.assessment))
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
