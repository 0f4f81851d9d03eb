//! The one way values and errors cross the boundary, shared by every feature (`assess`,
//! `measures`, `cohort`): JS values in and out as JSON text, errors to JS `Error`s.

use std::fmt::Display;

use equitas_core::read;
#[cfg(any(feature = "measures", feature = "cohort"))]
use equitas_core::read::FromJson;
use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

/// Reads a JS value into a core type through JSON text; errors read "invalid {what}: ...".
///
/// `JSON.stringify` and core's reader (`equitas_core::read`) are the one way in: the same reader
/// core uses for files, so unknown fields are refused (a misspelt `imd_decle` is an error, not a
/// silently missing decile) and every error names the JSON pointer of the bad value.
/// `undefined` reads as `null`. (The assessment side takes saved files, which core's loader reads
/// from [`json_of`]'s value, so only the measures and cohort sides use this.)
#[cfg(any(feature = "measures", feature = "cohort"))]
pub(crate) fn from_js<T: FromJson>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let json = json_of(value, what)?;
    T::from_json(&json, "").map_err(|e| js_error(format_args!("invalid {what}: {e}")))
}

/// A JS value as parsed JSON (through `JSON.stringify`, so always well-formed).
pub(crate) fn json_of(value: &JsValue, what: &str) -> Result<serde_json::Value, JsError> {
    let text = js_sys::JSON::stringify(value)
        .map_err(|_| js_error(format_args!("invalid {what}: not a JSON value")))?
        .as_string()
        .unwrap_or_else(|| "null".to_owned());
    read::parse(&text).map_err(|e| js_error(format_args!("invalid {what}: {e}")))
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

/// A JSON value written without the `null` members of its objects (a list's `null` items stay).
#[cfg(feature = "assess")]
pub(crate) struct WithoutNulls<'a>(pub &'a serde_json::Value);

#[cfg(feature = "assess")]
impl Serialize for WithoutNulls<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        use serde_json::Value;
        match self.0 {
            Value::Object(members) => {
                let mut map = serializer.serialize_map(None)?;
                for (key, value) in members.iter().filter(|(_, v)| !v.is_null()) {
                    map.serialize_entry(key, &WithoutNulls(value))?;
                }
                map.end()
            }
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&WithoutNulls(item))?;
                }
                seq.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}
