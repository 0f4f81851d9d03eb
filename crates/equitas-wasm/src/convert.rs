//! The one way values and errors cross the boundary, shared by both sides (`assess`, `data`):
//! JS values in and out as JSON text, errors to JS `Error`s.

use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

/// Reads a JS value into a core type through JSON text; errors read "invalid {what}: ...".
///
/// `JSON.stringify` and `serde_json::from_str` are the one way in: core already parses its
/// seeds and imported files from text, so every `Deserialize` is compiled once, for
/// `serde_json`'s reader, not again for a JS-value reader (serde-wasm-bindgen, dropped for size). It also honours core's `#[serde(deny_unknown_fields)]`, which a
/// field-by-field JS reader cannot (RReverser/serde-wasm-bindgen#39): a misspelt `imd_decle` is
/// an error, not a silently missing decile. `undefined` reads as `null`.
pub(crate) fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let text = js_sys::JSON::stringify(value)
        .map_err(|_| js_error(format_args!("invalid {what}: not a JSON value")))?
        .as_string()
        .unwrap_or_else(|| "null".to_owned());
    serde_json::from_str(&text)
        .map_err(|e| js_error(format_args!("invalid {what}: {}", Message(&e))))
}

/// A `serde_json` error without its " at line 1 column 42": the text is ours (the JSON of a JS
/// value), so the position would point into nothing the caller has seen.
struct Message<'a>(&'a serde_json::Error);

impl Display for Message<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.0.to_string();
        let position = format!(" at line {} column {}", self.0.line(), self.0.column());
        f.write_str(text.strip_suffix(&position).unwrap_or(&text))
    }
}

/// Writes a result as a plain JS value (`JSON.parse` of its JSON): maps as plain objects,
/// missing values as `null`, exactly the JSON the CLI prints.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(js_error)?;
    js_sys::JSON::parse(&text).map_err(|_| js_error("result is not JSON"))
}

/// [`to_js`] typed for the `.d.ts`.
pub(crate) fn to_ts<T: Tsify + Serialize>(value: &T) -> Result<Ts<T>, JsError> {
    to_js(value).map(Ts::new_unchecked)
}

/// The one place errors become JS `Error`s: the message is the error's `Display`.
pub(crate) fn js_error(error: impl Display) -> JsError {
    JsError::new(&error.to_string())
}
