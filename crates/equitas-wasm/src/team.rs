//! A team's tools (cargo feature `team`; the browser's `equitas_team.js`), loaded only when a
//! page asks for one, so the form's module carries none of them: the Word document of an
//! assessment (equitas-docx), and what changed between two assessments.

use equitas_core::assessment::{self, Assessment, Instrument, Registry, ReportModel, SavedFile};
use serde::{Deserialize, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use crate::convert::{js_error, json_of, text_of};

/// The most pictures one call takes (200): one per chart of the report, and a report has a
/// chart per measured dimension of its evidence. Fixed in the build.
pub const MAX_PICTURES: u32 = 200;

/// The most instruments of an organisation's own one call takes (100). Fixed in the build.
pub const MAX_OWN_INSTRUMENTS: u32 = 100;

/// A picture of one chart of the report: `index` is the chart's place in `scoreAssessment`'s
/// `charts`, `png` a PNG file, `width` and `height` its size in pixels.
#[derive(Debug, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct ChartPicture {
    index: usize,
    #[tsify(type = "Uint8Array")]
    png: serde_bytes::ByteBuf,
    width: u32,
    height: u32,
}

/// The whole assessment, its answers section by section and its scored report, as a Word
/// document (.docx bytes): what `equitas assess score --format docx` writes, with `pictures`
/// of the report's charts (the page draws them; `[]` for none). `instruments` are the JSON
/// texts of the organisation's own instruments the assessment may answer (the built-ins are
/// always known).
///
/// @throws {Error} when the assessment cannot be loaded (naming what is wrong, with its JSON
/// path), an instrument is not valid, a picture is not a PNG or names a chart the report does
/// not have, or there are more than 200 pictures or 100 instruments
#[wasm_bindgen(js_name = assessmentDocx)]
pub fn assessment_docx(
    assessment: Ts<SavedFile>,
    #[wasm_bindgen(unchecked_param_type = "ChartPicture[]")] pictures: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string[]")] instruments: JsValue,
) -> Result<Vec<u8>, JsError> {
    let registry = registry_with(&instruments)?;
    let a = load(&assessment, "assessment", &registry)?;
    let instrument = instrument_of(&registry, &a)?;
    let pictures = list(&pictures, "pictures", MAX_PICTURES)?
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let p = picture(i, p)?;
            Ok(equitas_docx::Picture {
                index: p.index,
                png: p.png.into_vec(),
                width: p.width,
                height: p.height,
            })
        })
        .collect::<Result<Vec<_>, JsError>>()?;
    let model = ReportModel::score(instrument, &a.answers);
    equitas_docx::assessment(&model, instrument, &a.answers, &pictures).map_err(js_error)
}

/// What changed between two assessments of the same instrument (a scheme's first assessment
/// and its review): each question whose answer differs, in the form's order, with both answers
/// in words (core's `assessment::compare`). `instruments` as for `assessmentDocx`.
///
/// @throws {Error} when either cannot be loaded (naming which and what is wrong, with its JSON
/// path), when they answer different instruments or versions, or an instrument is not valid
#[wasm_bindgen(js_name = compareAssessments, unchecked_return_type = "ChangedAnswer[]")]
pub fn compare_assessments(
    first: Ts<SavedFile>,
    second: Ts<SavedFile>,
    #[wasm_bindgen(unchecked_param_type = "string[]")] instruments: JsValue,
) -> Result<JsValue, JsError> {
    let registry = registry_with(&instruments)?;
    let a = load(&first, "first assessment", &registry)?;
    let b = load(&second, "second assessment", &registry)?;
    let instrument = instrument_of(&registry, &a)?;
    let out = assessment::compare_in_words(instrument, &a, &b).map_err(js_error)?;
    out.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            js_error(format_args!(
                "the result cannot be given to JavaScript: {e}"
            ))
        })
}

/// The built-in instruments and the organisation's own ones given as JSON texts.
fn registry_with(instruments: &JsValue) -> Result<Registry, JsError> {
    let mut registry = Registry::builtin().map_err(js_error)?;
    for text in list(instruments, "instruments", MAX_OWN_INSTRUMENTS)? {
        let json = text_of(&text, "instrument")?;
        registry.add_json(&json).map_err(js_error)?;
    }
    Ok(registry)
}

/// A saved-file object (`what`, for messages) through core's loader, migrated to the newest
/// version `registry` knows.
fn load(saved: &Ts<SavedFile>, what: &str, registry: &Registry) -> Result<Assessment, JsError> {
    let value = json_of(&saved.js_value(), what)?;
    let loaded = assessment::load_value(value, registry)
        .map_err(|e| js_error(format_args!("{what}: {e}")))?;
    Ok(loaded.assessment)
}

/// The instrument a loaded assessment answers.
fn instrument_of<'r>(registry: &'r Registry, a: &Assessment) -> Result<&'r Instrument, JsError> {
    registry.for_assessment(a).ok_or_else(|| {
        js_error(format_args!(
            "instrument {} version {} is not loaded",
            a.instrument.id, a.instrument.version
        ))
    })
}

/// The fields a picture has ([`ChartPicture`]).
const PICTURE_FIELDS: [&str; 4] = ["index", "png", "width", "height"];

/// Picture `i` of the list: an object of [`PICTURE_FIELDS`] only (serde-wasm-bindgen reads a
/// struct's fields by name and never sees others, so an unknown or misspelt one is refused
/// here), its `png` a `Uint8Array`.
fn picture(i: usize, p: JsValue) -> Result<ChartPicture, JsError> {
    let bad =
        |problem: &dyn std::fmt::Display| js_error(format_args!("invalid picture {i}: {problem}"));
    let Some(object) = p.dyn_ref::<js_sys::Object>().filter(|_| !p.is_function()) else {
        return Err(bad(&"expected an object {index, png, width, height}"));
    };
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !PICTURE_FIELDS.contains(&key.as_str()) {
            return Err(bad(&format_args!(
                "unknown field `{key}`, expected one of {}",
                PICTURE_FIELDS.map(|f| format!("`{f}`")).join(", ")
            )));
        }
    }
    let png = js_sys::Reflect::get(object, &"png".into()).unwrap_or(JsValue::UNDEFINED);
    if !png.is_instance_of::<js_sys::Uint8Array>() {
        return Err(bad(&"png: expected a Uint8Array of the PNG file's bytes"));
    }
    serde_wasm_bindgen::from_value(p).map_err(|e| bad(&e))
}

/// The items of the array `value` (`what`, for messages), at most `limit` of them; `undefined`
/// is none.
fn list(value: &JsValue, what: &str, limit: u32) -> Result<Vec<JsValue>, JsError> {
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    let Some(array) = value.dyn_ref::<js_sys::Array>() else {
        return Err(js_error(format_args!("invalid {what}: expected an array")));
    };
    if array.length() > limit {
        return Err(js_error(format_args!(
            "invalid {what}: {} items, over the limit of {limit} one call takes",
            array.length()
        )));
    }
    Ok(array.iter().collect())
}
