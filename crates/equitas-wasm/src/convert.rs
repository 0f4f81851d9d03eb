//! The one way values and errors cross the boundary, shared by every feature (`assess`,
//! `measures`, `cohort`): JS values in and out as JSON text, errors to JS `Error`s.

use std::fmt::Display;

use equitas_core::read;
#[cfg(any(feature = "measures", feature = "cohort"))]
use equitas_core::read::FromJson;
use js_sys::JsString;
use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::JsCast;
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

/// The most JSON text the engine reads in one call, in bytes (64 MiB): a saved assessment, an
/// instrument, a list of assessments to summarise, a person record or measure options. Longer
/// input is refused with an error naming its size and this limit, before it is copied into the
/// module's memory, so an oversized answer is an error rather than the module running out of
/// memory (a 64 MiB text needs a few hundred MB while it is read, scored and written back; the
/// module's memory stops at 4 GiB). It is fixed in the build: split the input (summarise fewer
/// files at a time) or shorten its longest text. Ordinary assessments are tens of kilobytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// A JS value as parsed JSON, through `JSON.stringify` and core's reader. Refused, naming the
/// JSON pointer where there is one: a value `JSON.stringify` cannot write (a `BigInt`, a cycle,
/// text too long for one JS string), JSON text over [`MAX_INPUT_BYTES`], text or a key with a
/// lone surrogate (which stringify writes as `\ud800` and no JSON reader can turn into text),
/// and `NaN`, `Infinity` or `-Infinity` (which stringify silently writes as `null`, so
/// `{age: NaN}` would read as no age at all).
pub(crate) fn json_of(value: &JsValue, what: &str) -> Result<serde_json::Value, JsError> {
    let text = js_sys::JSON::stringify(value).map_err(|e| {
        // What V8 says: "RangeError: Invalid string length" when the text would be longer than
        // a JS string can be (about 2^29 characters); a TypeError for a BigInt or a cycle.
        let said = e
            .dyn_ref::<js_sys::Error>()
            .map_or_else(String::new, |e| String::from(e.to_string()));
        js_error(format_args!(
            "invalid {what}: JSON.stringify cannot write it ({said}); the engine reads at most \
             {MAX_INPUT_BYTES} bytes of JSON in one call"
        ))
    })?;
    // `undefined` (or a function) has no JSON: it reads as `null`.
    let text = if text.is_string() {
        text_within_limit(&text, what)?
    } else {
        "null".to_owned()
    };
    let parsed = read::parse(&text);
    // Stringify's text fails to parse only where it wrote a lone surrogate as an escape (or
    // nests too deep), and it writes NaN and ±Infinity as `null`: then look at the JS value,
    // to say what and where. (No failure and no null in the text, no search.)
    if parsed.is_err() || text.as_bytes().windows(4).any(|w| w == b"null") {
        let mut path = String::new();
        if let Some(problem) = unwritable(value, &mut path, 0) {
            let path = if path.is_empty() { "/" } else { &path };
            return Err(js_error(format_args!(
                "invalid {what}: at {path}: {problem}"
            )));
        }
    }
    parsed.map_err(|e| js_error(format_args!("invalid {what}: {e}")))
}

/// A JS string argument (JSON text) as Rust text: refused when it is not a string, when it is
/// longer than [`MAX_INPUT_BYTES`] (before it is copied into the module's memory), or when it
/// holds a lone surrogate (wasm-bindgen would otherwise replace it with U+FFFD, silently),
/// naming the line and column as core's JSON errors do.
#[cfg(feature = "assess")]
pub(crate) fn text_of(value: &JsValue, what: &str) -> Result<String, JsError> {
    let Some(text) = value.dyn_ref::<JsString>() else {
        return Err(js_error(format_args!(
            "invalid {what}: expected JSON text (a string), found {}",
            value.js_typeof().as_string().unwrap_or_default()
        )));
    };
    let out = text_within_limit(text, what)?;
    if !text.is_well_formed() {
        // The copy has U+FFFD where each lone surrogate was: find the first that was one, and
        // count as core's reader does: bytes, after a byte order mark that opens the text.
        let start = if out.starts_with("\u{FEFF}") { 3 } else { 0 };
        let (mut units, mut line, mut line_start) = (0_u32, 1, start);
        for (at, c) in out.char_indices() {
            // `charCodeAt` is a number (NaN past the end, which is no surrogate).
            if c == char::REPLACEMENT_CHARACTER
                && (55_296.0..=57_343.0).contains(&text.char_code_at(units))
            {
                let column = 1 + at.saturating_sub(line_start);
                return Err(js_error(format_args!(
                    "invalid {what}: at line {line} column {column}: {LONE_SURROGATE}"
                )));
            }
            if c == '\n' {
                line += 1;
                line_start = at + 1;
            }
            units += u32::try_from(c.len_utf16()).unwrap_or(2);
        }
    }
    Ok(out)
}

/// `text` copied into Rust, unless it is over [`MAX_INPUT_BYTES`]: its UTF-16 length is
/// checked first (each unit is at least one byte of UTF-8), so an oversized string is never
/// copied, then the UTF-8 length.
fn text_within_limit(text: &JsString, what: &str) -> Result<String, JsError> {
    let too_long = |bytes: usize, at_least: &str| {
        js_error(format_args!(
            "invalid {what}: {at_least}{bytes} bytes of JSON, over the limit of \
             {MAX_INPUT_BYTES} bytes (64 MiB) the engine reads in one call; split it, or \
             shorten its longest text"
        ))
    };
    let units = usize::try_from(text.length()).unwrap_or(usize::MAX);
    if units > MAX_INPUT_BYTES {
        return Err(too_long(units, "at least "));
    }
    let out = String::from(text);
    if out.len() > MAX_INPUT_BYTES {
        return Err(too_long(out.len(), ""));
    }
    Ok(out)
}

/// What in `value` JSON cannot hold as it is, and where (`path` is left at its JSON pointer):
/// a string or key with a lone surrogate, or a number that is NaN or ±Infinity. A list's keys
/// are its indices, as `Object.keys` gives them. Looks no deeper than core's reader reads (127
/// lists or objects inside one another).
fn unwritable(value: &JsValue, path: &mut String, depth: u32) -> Option<&'static str> {
    if let Some(s) = value.dyn_ref::<JsString>() {
        return (!s.is_well_formed()).then_some(LONE_SURROGATE_TEXT);
    }
    if let Some(n) = value.as_f64() {
        return if n.is_nan() {
            Some(NOT_A_NUMBER)
        } else if n.is_infinite() {
            Some(if n > 0.0 { INFINITY } else { MINUS_INFINITY })
        } else {
            None
        };
    }
    if depth > 127 || !value.is_object() {
        return None;
    }
    let at = path.len();
    let object: &js_sys::Object = value.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let name = key.as_string().unwrap_or_default();
        path.push('/');
        path.push_str(&read::pointer_escape(&name));
        if key
            .dyn_ref::<JsString>()
            .is_some_and(|k| !k.is_well_formed())
        {
            return Some(LONE_SURROGATE_KEY);
        }
        let member = js_sys::Reflect::get(value, &key).unwrap_or(JsValue::UNDEFINED);
        if let Some(problem) = unwritable(&member, path, depth + 1) {
            return Some(problem);
        }
        path.truncate(at);
    }
    None
}

/// The end of the message for a lone surrogate: what it is and what to do.
macro_rules! lone_surrogate {
    () => {
        "a lone surrogate (half of a UTF-16 pair without its other half), which is not text; \
         retype or remove that character"
    };
}

/// The end of the message for a number JSON has no way to write.
macro_rules! not_json {
    () => {
        " is not a number JSON can hold; give a finite number, or leave the field out"
    };
}

#[cfg(feature = "assess")]
const LONE_SURROGATE: &str = lone_surrogate!();
const LONE_SURROGATE_TEXT: &str = concat!("the text holds ", lone_surrogate!());
const LONE_SURROGATE_KEY: &str = concat!("the key holds ", lone_surrogate!());
const NOT_A_NUMBER: &str = concat!("NaN", not_json!());
const INFINITY: &str = concat!("Infinity", not_json!());
const MINUS_INFINITY: &str = concat!("-Infinity", not_json!());

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
