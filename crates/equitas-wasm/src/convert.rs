//! The one way values and errors cross the boundary, shared by every feature (`assess`,
//! `measures`, `cohort`): JS values in and out with serde-wasm-bindgen (values that are already
//! JavaScript values never become JSON text), JSON text only where the input is text (a file),
//! errors to JS `Error`s.

use std::cell::{Cell, RefCell};
use std::fmt::Display;

#[cfg(any(feature = "measures", feature = "cohort"))]
use equitas_core::read::FromJson;
use equitas_core::read::{MAX_DEPTH, Place};
use js_sys::JsString;
use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use tsify::{Ts, Tsify};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Reads a JS value into a core type: the value as JSON ([`json_of`]), then core's reader;
/// errors read "invalid {what}: ...".
///
/// Core's reader (`equitas_core::read`) is the one core uses for files, so unknown fields are
/// refused (a misspelt `imd_decle` is an error, not a silently missing decile) and every error
/// names the JSON pointer of the bad value. (The assessment side takes saved files, which
/// core's loader reads from [`json_of`]'s value, so only the measures and cohort sides use
/// this.)
#[cfg(any(feature = "measures", feature = "cohort"))]
pub(crate) fn from_js<T: FromJson>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let json = json_of(value, what)?;
    T::from_json(&json, "").map_err(|e| js_error(format_args!("invalid {what}: {e}")))
}

/// The most JSON the engine reads in one call, in bytes (64 MiB): a saved assessment, an
/// instrument, a list of assessments to summarise, a person record or measure options. JSON
/// text is measured as it is; a JS value as the JSON text it would be, at least (its strings
/// and keys in UTF-8 with their quotes, a digit for a number, `null`, `true` and `false` in
/// full, a comma or bracket for each value), which also bounds the number of values read, two
/// bytes each at least. Larger input is refused with an error naming
/// its size and this limit, and a string is measured before it is copied into the module's
/// memory, so an oversized answer is an error rather than the module running out of memory (a
/// 64 MiB input needs a few hundred MB while it is read, scored and written back; the module's
/// memory stops at 4 GiB). It is fixed in the build: split the input (summarise fewer files at
/// a time) or shorten its longest text. Ordinary assessments are tens of kilobytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// A JS value as JSON (serde_json's `Value`), read with serde-wasm-bindgen: what JSON has, as
/// JSON has it; `undefined` as `JSON.stringify` treats it (a member that is `undefined` is
/// absent, an item or the whole value is `null`); `-0` as `0`, and a number past 2^53 as a
/// float (so a field that takes a whole number refuses it: the number may not be the one
/// written). Refused with the JSON pointer of the value, before anything is read past it: what
/// JSON cannot hold (`NaN` and `±Infinity`, text or a key with a lone surrogate, a `BigInt`, a
/// `Map`, a `Set` or other iterable, a function, a symbol, binary data), lists and objects
/// nested more than [`MAX_DEPTH`] deep (a value that holds itself too), and more than
/// [`MAX_INPUT_BYTES`] of JSON.
pub(crate) fn json_of(value: &JsValue, what: &str) -> Result<Value, JsError> {
    let reading = Reading {
        root: value.clone(),
        bytes: Cell::new(0),
        problem: RefCell::new(None),
    };
    let root = Place::Pointer("");
    let node = Node {
        at: &root,
        depth: 0,
        reading: &reading,
    };
    match node.deserialize(serde_wasm_bindgen::Deserializer::from(value.clone())) {
        Ok(read) => Ok(read.unwrap_or(Value::Null)),
        Err(e) => {
            let problem = reading.problem.take().unwrap_or_else(|| said(&e));
            Err(js_error(format_args!("invalid {what}: {problem}")))
        }
    }
}

/// The one key a result cannot have: serde-wasm-bindgen sets an object's members one by one
/// (`object[key] = value`), and `object["__proto__"] = value` sets the object's prototype
/// instead (`JSON.parse` made it a member). So it is refused where it comes in: in a JS value
/// ([`json_of`]) and in JSON text ([`refuse_unholdable`]).
const PROTO: &str = "__proto__";

/// The largest whole number a JS number holds exactly, 2^53 − 1 (`Number.MAX_SAFE_INTEGER`).
#[cfg(feature = "assess")]
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The first thing in `v` (at `at`) that a result cannot carry into JavaScript as it is, with
/// its JSON pointer: a `"__proto__"` key ([`PROTO`]), or a whole number past 2^53, which
/// serde-wasm-bindgen refuses to write (`JSON.parse` rounded it).
#[cfg(feature = "assess")]
fn unholdable(v: &Value, at: &Place<'_>) -> Option<(String, String)> {
    match v {
        Value::Object(members) => members.iter().find_map(|(key, member)| {
            let here = Place::Key(at, key);
            if key == PROTO {
                Some((shown(&here), PROTO_KEY.to_owned()))
            } else {
                unholdable(member, &here)
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| unholdable(item, &Place::Index(at, i))),
        Value::Number(n)
            if !n.is_f64() && n.as_i64().map_or(u64::MAX, i64::unsigned_abs) > MAX_SAFE_INTEGER =>
        {
            Some((shown(at), format!("{n}{PAST_2_53}")))
        }
        _ => None,
    }
}

/// Refuses parsed JSON text that holds what a result cannot carry into JavaScript
/// ([`unholdable`]), at its pointer; `before` opens the message as the reader's own messages
/// for that input open.
#[cfg(feature = "assess")]
pub(crate) fn refuse_unholdable(v: &Value, before: &str) -> Result<(), JsError> {
    match unholdable(v, &Place::Pointer("")) {
        Some((at, problem)) => Err(js_error(format_args!("{before}at {at}: {problem}"))),
        None => Ok(()),
    }
}

/// What serde-wasm-bindgen's error says (its `Display` is `String(error)`: "Error: …").
fn said(e: &impl Display) -> String {
    let text = e.to_string();
    text.strip_prefix("Error: ").unwrap_or(&text).to_owned()
}

/// One reading of a JS value: the JSON bytes counted so far, and the first problem found, with
/// its place (serde's errors carry only text; this keeps the first, innermost one whole).
struct Reading {
    /// The value read, to look again at what was refused.
    root: JsValue,
    bytes: Cell<usize>,
    problem: RefCell<Option<String>>,
}

impl Reading {
    /// Keeps `problem` unless one was found already (deeper down), and gives serde an error.
    #[cold]
    fn fail<E: de::Error>(&self, problem: impl FnOnce() -> String) -> E {
        let mut kept = self.problem.borrow_mut();
        if kept.is_none() {
            *kept = Some(problem());
        }
        E::custom("refused")
    }

    /// `problem` at `at`.
    #[cold]
    fn refuse<E: de::Error>(&self, at: &Place<'_>, problem: &str) -> E {
        self.fail(|| format!("at {}: {problem}", shown(at)))
    }

    /// Counts `bytes` more of JSON, refusing past [`MAX_INPUT_BYTES`] (the count is a lower
    /// bound, so the message says "at least").
    fn count<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        let total = self.bytes.get().saturating_add(bytes);
        self.bytes.set(total);
        if total > MAX_INPUT_BYTES {
            return Err(self.fail(|| over_the_limit(total, "at least ")));
        }
        Ok(())
    }
}

/// A place as messages show it: the root is `/`.
fn shown(at: &Place<'_>) -> String {
    let pointer = at.pointer();
    if pointer.is_empty() {
        "/".to_owned()
    } else {
        pointer
    }
}

/// The message for input over [`MAX_INPUT_BYTES`].
fn over_the_limit(bytes: usize, at_least: &str) -> String {
    format!(
        "{at_least}{bytes} bytes of JSON, over the limit of {MAX_INPUT_BYTES} bytes (64 MiB) the \
         engine reads in one call; split it, or shorten its longest text"
    )
}

/// One JS value, at `at`, inside `depth` lists and objects: read as JSON, or `None` when it
/// is `undefined`. It takes the JS value itself first (serde-wasm-bindgen's `preserve`), to
/// name what JSON cannot hold and to measure text before it is copied, then reads it with
/// serde-wasm-bindgen's deserializer.
struct Node<'a> {
    at: &'a Place<'a>,
    depth: usize,
    reading: &'a Reading,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Option<Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        let js: JsValue = serde_wasm_bindgen::preserve::deserialize(d)?;
        if js.is_undefined() {
            return Ok(None);
        }
        // A comma or bracket, at least.
        self.reading.count(1)?;
        if let Some(text) = js.dyn_ref::<JsString>() {
            self.text(text, 2)?;
        } else if js.is_bigint() {
            return Err(self.reading.refuse(self.at, BIGINT));
        } else if js.has_type::<js_sys::Map>() {
            return Err(self.reading.refuse(self.at, MAP));
        }
        let visit = Visit {
            at: self.at,
            depth: self.depth,
            reading: self.reading,
        };
        serde_wasm_bindgen::Deserializer::from(js)
            .deserialize_any(visit)
            .map(Some)
            .map_err(|e| {
                if self.reading.problem.borrow().is_some() {
                    // Refused inside, and said where.
                    return de::Error::custom("refused");
                }
                // Refused by serde-wasm-bindgen, not by a value inside: a function, a symbol, or
                // an iterable that is not an array (a `Set`, say). Look again to say which.
                let problem = match value_at(&self.reading.root, self.at) {
                    Some(v) if v.is_function() => FUNCTION.to_owned(),
                    Some(v) if v.is_symbol() => SYMBOL.to_owned(),
                    Some(v) if v.is_object() => ITERABLE.to_owned(),
                    _ => said(&e),
                };
                self.reading.refuse(self.at, &problem)
            })
    }
}

/// The JS value at `at` inside `root` (for an error message: slow, and only then).
#[cold]
fn value_at(root: &JsValue, at: &Place<'_>) -> Option<JsValue> {
    match at {
        Place::Pointer(_) => Some(root.clone()),
        Place::Key(parent, key) => {
            js_sys::Reflect::get(&value_at(root, parent)?, &JsValue::from_str(key)).ok()
        }
        Place::Index(parent, index) => {
            let index = u32::try_from(*index).ok()?;
            js_sys::Reflect::get_u32(&value_at(root, parent)?, index).ok()
        }
    }
}

impl Node<'_> {
    /// Text (`extra` bytes of quotes and colon around it): counted by its UTF-16 length before
    /// it is copied (each unit is a byte of UTF-8 at least), refused with a lone surrogate.
    fn text<E: de::Error>(&self, text: &JsString, extra: usize) -> Result<(), E> {
        let units = usize::try_from(text.length()).unwrap_or(usize::MAX);
        self.reading.count(units.saturating_add(extra))?;
        if !text.is_well_formed() {
            return Err(self.reading.refuse(self.at, LONE_SURROGATE_TEXT));
        }
        Ok(())
    }
}

/// The value [`Node`] read, as serde-wasm-bindgen hands it over.
struct Visit<'a> {
    at: &'a Place<'a>,
    depth: usize,
    reading: &'a Reading,
}

impl Visit<'_> {
    /// The list or object this value opens, inside one more: refused past [`MAX_DEPTH`].
    fn open<E: de::Error>(&self) -> Result<usize, E> {
        if self.depth >= MAX_DEPTH {
            return Err(self.reading.refuse(self.at, TOO_DEEP));
        }
        // The closing bracket.
        self.reading.count(1)?;
        Ok(self.depth + 1)
    }
}

impl<'de> Visitor<'de> for Visit<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "a value JSON can hold: null, true or false, a number, text, a list or a plain object",
        )
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.reading.count(4)?;
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.reading.count(if b { 4 } else { 5 })?;
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.reading.count(1)?;
        Ok(Value::from(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.reading.count(1)?;
        Ok(Value::from(n))
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Value, E> {
        self.reading.count(1)?;
        match Number::from_f64(x) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(self.reading.refuse(
                self.at,
                if x.is_nan() {
                    NOT_A_NUMBER
                } else if x > 0.0 {
                    INFINITY
                } else {
                    MINUS_INFINITY
                },
            )),
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.visit_string(s.to_owned())
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        // Counted by its UTF-16 length before the copy; now by its UTF-8 length.
        let units = s.encode_utf16().count();
        self.reading.count(s.len().saturating_sub(units))?;
        Ok(Value::String(s))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Value, E> {
        Err(self.reading.refuse(self.at, BINARY))
    }

    fn visit_byte_buf<E: de::Error>(self, _: Vec<u8>) -> Result<Value, E> {
        Err(self.reading.refuse(self.at, BINARY))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.open()?;
        let mut items = Vec::new();
        loop {
            let at = Place::Index(self.at, items.len());
            let item = Node {
                at: &at,
                depth,
                reading: self.reading,
            };
            match seq.next_element_seed(item)? {
                // `undefined` in a list is `null`, as `JSON.stringify` writes it.
                Some(v) => {
                    // The limit keeps a list far below what the module can address; this
                    // keeps a failure to grow one an error rather than a panic all the same.
                    items
                        .try_reserve(1)
                        .map_err(|_| self.reading.refuse(self.at, TOO_MANY))?;
                    items.push(v.unwrap_or(Value::Null));
                }
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let depth = self.open()?;
        let mut members = Map::new();
        let key = Key {
            at: self.at,
            reading: self.reading,
        };
        while let Some(name) = map.next_key_seed(key)? {
            let at = Place::Key(self.at, &name);
            let member = Node {
                at: &at,
                depth,
                reading: self.reading,
            };
            // A member that is `undefined` is absent, as `JSON.stringify` leaves it out.
            if let Some(v) = map.next_value_seed(member)? {
                members.insert(name, v);
            }
        }
        Ok(Value::Object(members))
    }
}

/// A key of the object at `at`: text, measured before it is copied, refused with a lone
/// surrogate (at the key's pointer, as the text with U+FFFD in its place).
#[derive(Clone, Copy)]
struct Key<'a> {
    at: &'a Place<'a>,
    reading: &'a Reading,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        let js: JsValue = serde_wasm_bindgen::preserve::deserialize(d)?;
        let Some(text) = js.dyn_ref::<JsString>() else {
            return Err(self.reading.refuse(self.at, "a key that is not text"));
        };
        // Quotes and a colon.
        let units = usize::try_from(text.length()).unwrap_or(usize::MAX);
        self.reading.count(units.saturating_add(3))?;
        let key = String::from(text);
        self.reading.count(key.len().saturating_sub(units))?;
        if !text.is_well_formed() {
            return Err(self
                .reading
                .refuse(&Place::Key(self.at, &key), LONE_SURROGATE_KEY));
        }
        if key == PROTO {
            return Err(self.reading.refuse(&Place::Key(self.at, &key), PROTO_KEY));
        }
        Ok(key)
    }
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
#[cfg(feature = "assess")]
fn text_within_limit(text: &JsString, what: &str) -> Result<String, JsError> {
    let too_long = |bytes: usize, at_least: &str| {
        js_error(format_args!(
            "invalid {what}: {}",
            over_the_limit(bytes, at_least)
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
const BIGINT: &str = "a BigInt is not a number JSON can hold; give a number (a whole number \
                      is exact up to 2^53)";
const MAP: &str = "a Map is not an object JSON can hold; give a plain object";
const BINARY: &str = "binary data (a typed array or an ArrayBuffer) is not something JSON can \
                      hold; give a list of numbers";
const FUNCTION: &str = "a function is not something JSON can hold; leave it out";
const SYMBOL: &str = "a symbol is not something JSON can hold; leave it out";
const ITERABLE: &str = "an iterable that is not an array (a Set, say) is not something JSON can \
                        hold; give an array";
#[cfg(feature = "assess")]
const PAST_2_53: &str = " is a whole number past 2^53, which a JavaScript number cannot hold \
                         exactly; give it as text, or a number JavaScript can hold";
const PROTO_KEY: &str = "the key \"__proto__\" cannot cross into JavaScript (a plain object \
                         takes it as its prototype, not as a key); rename it";
const TOO_MANY: &str = "a list too long for the engine's memory; split it";
const TOO_DEEP: &str = "lists and objects nested more than 127 deep (or a value that holds \
                        itself), which the engine does not read";

/// Writes a result as a plain JS value, with serde-wasm-bindgen's JSON-compatible serializer:
/// maps as plain objects, missing values as `null`, whole numbers as numbers; the value
/// `JSON.parse` gives of the JSON the CLI prints. A whole number past 2^53, which a JS number
/// cannot hold exactly, would be an error here: the only ones that could reach a result (a
/// file's answer, an instrument's JSON) are refused where the text comes in
/// ([`refuse_unholdable`]), with their place (`JSON.parse` rounded them).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            js_error(format_args!(
                "the result cannot be given to JavaScript: {}",
                said(&e)
            ))
        })
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
